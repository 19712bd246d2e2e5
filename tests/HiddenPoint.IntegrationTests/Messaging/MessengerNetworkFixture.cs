using HiddenPoint.Testing.Network;

namespace HiddenPoint.IntegrationTests.Messaging;

/// <summary>One network (3 authorities, 8 relays) for the messaging tests of a class; each test starts its own messengers.</summary>
public sealed class MessengerNetworkFixture : IAsyncLifetime
{
    private MessengerTestNetwork? _network;

    /// <summary>Every log line of every part, printed by a test that fails.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>The network.</summary>
    public MessengerTestNetwork Network => _network ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc/>
    public async Task InitializeAsync() => _network = await MessengerTestNetwork.StartAsync(Logs);

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_network is not null)
        {
            await _network.DisposeAsync();
        }

        Logs.Dispose();
    }
}
