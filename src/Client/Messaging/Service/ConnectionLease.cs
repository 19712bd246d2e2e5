namespace HiddenPoint.Client.Messaging.Service;

/// <summary>What a conversation transport owns: its stream and the hidden-point connection under it, released in that order.</summary>
internal sealed class ConnectionLease(IAsyncDisposable stream, IAsyncDisposable connection) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
