using Microsoft.Data.Sqlite;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// One change waiting for the store's writer: run inside the writer's transaction (under a savepoint of its own), and
/// completed only after that transaction committed, or failed alone when its own work throws.
/// </summary>
internal abstract class StoreWrite
{
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Runs the work; an exception is the caller's (the writer rolls back to the savepoint).</summary>
    public abstract void Run(SqliteTransaction transaction);

    /// <summary>The transaction committed: the change is durable.</summary>
    public abstract void Complete();

    public abstract void Fail(Exception exception);

    public abstract void Cancel();
}

/// <summary>A change with a result.</summary>
internal sealed class StoreWrite<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken) : StoreWrite
{
    // Continuations run on the pool, never inside the writer's loop.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    public Task<T> Task => _completion.Task;

    public override CancellationToken CancellationToken => cancellationToken;

    public override void Run(SqliteTransaction transaction) => _result = work(transaction);

    public override void Complete() => _completion.TrySetResult(_result!);

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    public override void Cancel() => _completion.TrySetCanceled(cancellationToken);
}
