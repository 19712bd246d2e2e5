using HiddenPoint.Client;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Testing.Messaging;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Testing.Network;

/// <summary>
/// Messengers (store, client core, hosted hidden point, engine) on a real <see cref="InProcessNetwork"/>, each with its
/// own data directory, restartable on it. Timings are shortened for tests only: retries, back-off, publishing, and a
/// cheap passphrase key.
/// </summary>
public sealed class MessengerTestNetwork : IAsyncDisposable
{
    /// <summary>The passphrase of every test messenger's store.</summary>
    public const string Passphrase = "correct horse battery staple";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hpc-messengers-" + Guid.NewGuid().ToString("N"));
    private readonly List<Messenger> _running = [];
    private readonly TestMeterFactory _meters = new();

    private MessengerTestNetwork(InProcessNetwork network, ILoggerFactory logs)
    {
        Network = network;
        Logs = logs;
    }

    /// <summary>The authorities and relays.</summary>
    public InProcessNetwork Network { get; }

    /// <summary>Where every messenger logs.</summary>
    public ILoggerFactory Logs { get; }

    /// <summary>Starts 3 authorities and <paramref name="relays"/> relays and waits until the consensus lists them all.</summary>
    public static async Task<MessengerTestNetwork> StartAsync(ILoggerFactory logs, int relays = 8)
    {
        var network = await InProcessNetwork.StartAsync(authorities: 3, relays: relays, votingInterval: TimeSpan.FromSeconds(4));
        try
        {
            await network.WaitUntilReadyAsync();
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }

        return new MessengerTestNetwork(network, logs);
    }

    /// <summary>The options of the messenger named <paramref name="name"/> (its data directory is kept across restarts).</summary>
    public MessengerOptions Options(string name, Action<MessagingOptions>? messaging = null)
    {
        var options = new MessengerOptions
        {
            DataDirectory = Path.Combine(_root, name),
            CreateIfMissing = true,
            Core = new ClientCoreOptions
            {
                Directory = Network.ClientDirectoryOptions(),
                Hosting = new HostingOptions { PublishSettleDelay = TimeSpan.FromMilliseconds(200), IntroductionRetryDelay = TimeSpan.FromMilliseconds(50), PublishRetryInterval = TimeSpan.FromSeconds(1) },
            },
            Messaging = new MessagingOptions { RetryInitialDelay = TimeSpan.FromMilliseconds(250), RetryMaxDelay = TimeSpan.FromSeconds(2) },
            Store = new MessageStoreOptions { KdfMemoryKib = 8, KdfPasses = 1 },
        };
        messaging?.Invoke(options.Messaging);
        return options;
    }

    /// <summary>Starts (or restarts) a messenger and waits until its hidden point is published.</summary>
    public async Task<Messenger> StartMessengerAsync(MessengerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var messenger = await Messenger.StartAsync(options, new FixedPassphraseSource(Passphrase), TimeProvider.System, Logs, _meters, null, CancellationToken.None)
            .WaitAsync(InProcessNetwork.Ready);
        lock (_running)
        {
            _running.Add(messenger);
        }

        await messenger.FirstPublished.WaitAsync(InProcessNetwork.Ready);
        return messenger;
    }

    /// <summary>Stops a messenger (what is pending stays in its store).</summary>
    public async Task StopMessengerAsync(Messenger messenger)
    {
        ArgumentNullException.ThrowIfNull(messenger);
        lock (_running)
        {
            _running.Remove(messenger);
        }

        await messenger.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Host);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Messenger[] running;
        lock (_running)
        {
            running = [.. _running];
            _running.Clear();
        }

        foreach (var messenger in running)
        {
            await messenger.DisposeAsync();
        }

        await Network.DisposeAsync();
        _meters.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
