using System.Collections.Concurrent;
using HiddenPoint.Client.Api.Connecting;
using HiddenPoint.Client.Api.Contract;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>One conversation's status change as a user's daemon announced it, with the runner's time of arrival.</summary>
internal sealed record StatusTransition(DateTimeOffset At, string User, string Contact, ApiConversationStatus Status);

/// <summary>
/// Subscribes to every user's daemon events (a connection of its own per user, beside the one that sends) and keeps
/// each conversation status change with the time it arrived: when a conversation lost its connection and when it
/// had one again, which is how CR-01's detection and rebuild times are measured.
/// </summary>
internal sealed class ConversationWatch : IAsyncDisposable
{
    private readonly ConcurrentQueue<StatusTransition> _transitions = new();
    private readonly List<(ClientApiConnection Connection, Task Reading)> _subscriptions = [];
    private readonly TimeProvider _clock;

    private ConversationWatch(TimeProvider clock) => _clock = clock;

    /// <summary>Every change seen so far, in arrival order per user.</summary>
    public IReadOnlyList<StatusTransition> Transitions => [.. _transitions];

    /// <summary>Subscribes to the events of each of <paramref name="users"/> (name and data directory).</summary>
    public static async Task<ConversationWatch> StartAsync(IEnumerable<(string Name, string DataDirectory)> users, TimeProvider clock, CancellationToken cancel)
    {
        var watch = new ConversationWatch(clock);
        try
        {
            foreach (var (name, dataDirectory) in users)
            {
                var connection = await ClientApiConnection.ConnectAsync(dataDirectory, cancel).ConfigureAwait(false);
                await connection.Api.SubscribeAsync(cancel).ConfigureAwait(false);
                watch._subscriptions.Add((connection, watch.ReadAsync(name, connection)));
            }
        }
        catch
        {
            await watch.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return watch;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var (connection, reading) in _subscriptions)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ReadAsync(string user, ClientApiConnection connection)
    {
        await foreach (var apiEvent in connection.Events.ReadAllAsync().ConfigureAwait(false))
        {
            if (apiEvent is { Type: ApiEventType.ConversationStatusChanged, Status: { } status, Contact: { } contact })
            {
                _transitions.Enqueue(new StatusTransition(_clock.GetUtcNow(), user, contact, status));
            }
        }
    }
}
