using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Client.Identity;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Messaging.Service;

/// <summary>
/// The user's messenger: the encrypted store, the client core on the network, the hosted hidden point and the
/// conversation engine, composed and run together. The client daemon runs one; a command run with no daemon may run
/// one for its duration. Read history and counts from <see cref="Store"/>; change contacts through the messenger
/// (it keeps the engine's view of them in step with the store).
/// </summary>
public sealed class Messenger : IAsyncDisposable
{
    private readonly MessengerOptions _options;
    private readonly HiddenPointIdentityKey _identity;
    private readonly HiddenPointIdentitySecretKey _signingIdentity;
    private readonly ClientCore _core;
    private readonly HostedHiddenPoint _host;
    private readonly MessagingEngine _engine;
    private readonly StoredContactPolicy _contacts;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _subscribersGate = new(); // Subscribers are copied on write, so the pump reads them without it.
    private readonly Dictionary<HiddenId, ConversationState> _conversationStates = [];
    private readonly Lock _statesGate = new();
    private EventSubscription[] _subscribers = [];
    private Task _incoming = Task.CompletedTask;
    private Task _events = Task.CompletedTask;
    private int _disposed;

    private Messenger(
        MessengerOptions options,
        HiddenPointIdentityKey identity,
        HiddenPointIdentitySecretKey signingIdentity,
        MessageStore store,
        ClientCore core,
        HostedHiddenPoint host,
        MessagingEngine engine,
        StoredContactPolicy contacts,
        ILogger logger)
    {
        _options = options;
        _identity = identity;
        _signingIdentity = signingIdentity;
        Store = store;
        _core = core;
        _host = host;
        _engine = engine;
        _contacts = contacts;
        _logger = logger;
        HiddenId = identity.IdentityPublicKey.ToHiddenId();
    }

    /// <summary>This user's hidden-id.</summary>
    public HiddenId HiddenId { get; }

    /// <summary>The store: history, counts, contacts and settings to read.</summary>
    public MessageStore Store { get; }

    /// <summary>The client core (consensus, guards, circuits).</summary>
    public ClientCore Core => _core;

    /// <summary>The hosted hidden point.</summary>
    public HostedHiddenPoint HiddenPoint => _host;

    /// <summary>Completes when the hidden point's descriptor was first stored at an HSDir.</summary>
    public Task FirstPublished => _host.FirstPublished;

    /// <summary>
    /// Opens the store, loads the identity, bootstraps the client core, starts hosting the hidden point and resumes
    /// every conversation with messages pending. <paramref name="progress"/> hears each step as it begins.
    /// </summary>
    /// <exception cref="StoreOpenException">The store cannot be opened (wrong passphrase, in use by another process, damaged…).</exception>
    /// <exception cref="PassphraseException">No passphrase could be read.</exception>
    /// <exception cref="IdentityFileException">The identity file is missing (without <see cref="MessengerOptions.CreateIfMissing"/>) or refused.</exception>
    public static async Task<Messenger> StartAsync(
        MessengerOptions options,
        PassphraseSource passphrase,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IMeterFactory meterFactory,
        IProgress<MessengerStartupStep>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(passphrase);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(meterFactory);
        options.Validate();
        var started = timeProvider.GetTimestamp();
        var logger = loggerFactory.CreateLogger<Messenger>();
        progress?.Report(MessengerStartupStep.OpeningStore);

        // The store first: its lock is what keeps a second process off this data directory, before anything else starts.
        var storeOptions = new MessageStoreOptions
        {
            DatabasePath = options.DatabasePath,
            CreateIfMissing = options.CreateIfMissing,
            KdfMemoryKib = options.Store.KdfMemoryKib,
            KdfPasses = options.Store.KdfPasses,
            Durability = options.Store.Durability,
        };
        var store = await MessageStore.OpenAsync(storeOptions, passphrase, timeProvider, loggerFactory.CreateLogger<MessageStore>(), cancellationToken).ConfigureAwait(false);
        HiddenPointIdentityKey? identity = null;
        HiddenPointIdentitySecretKey? signing = null;
        ClientCore? core = null;
        HostedHiddenPoint? host = null;
        try
        {
            identity = options.CreateIfMissing
                ? HiddenPointIdentityStore.LoadOrCreate(options.IdentityPath, logger).Key
                : HiddenPointIdentityStore.Load(options.IdentityPath);
            var contacts = await StoredContactPolicy.LoadAsync(store, cancellationToken).ConfigureAwait(false);

            progress?.Report(MessengerStartupStep.Bootstrapping);
            options.Core.DataDirectory = options.DataDirectory;
            core = ClientCore.Create(options.Core, timeProvider, loggerFactory, meterFactory);
            await core.StartAsync(cancellationToken).ConfigureAwait(false);

            progress?.Report(MessengerStartupStep.Publishing);
            signing = identity.ToExpandedSecretKey();
            host = core.Host(identity);
            var dialer = new HiddenPointDialer(core.Connector, options.StreamTimeout, timeProvider);
            var engine = new MessagingEngine(signing, store, contacts, dialer, options.Messaging, timeProvider, loggerFactory);
            var messenger = new Messenger(options, identity, signing, store, core, host, engine, contacts, logger);
            messenger.Run(timeProvider);
            await engine.StartAsync(cancellationToken).ConfigureAwait(false);
            progress?.Report(MessengerStartupStep.Ready);
            MessengerLog.Started(logger, timeProvider.GetElapsedTime(started));
            return messenger;
        }
        catch
        {
            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }

            if (core is not null)
            {
                await core.DisposeAsync().ConfigureAwait(false);
            }

            signing?.Dispose();
            identity?.Dispose();
            store.Dispose();
            throw;
        }
    }

    /// <summary>Queues <paramref name="text"/> to <paramref name="contact"/> durably and returns it; it goes out when the contact is reachable.</summary>
    /// <exception cref="ArgumentException">The text is empty or longer than 16,384 UTF-8 bytes.</exception>
    public Task<OutgoingMessage> SendAsync(HiddenId contact, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(contact, Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    /// <summary>Queues a UTF-8 body to <paramref name="contact"/>.</summary>
    public Task<OutgoingMessage> SendAsync(HiddenId contact, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (contact == HiddenId)
        {
            throw new ArgumentException("A message to one's own hidden-id has nowhere to go.", nameof(contact));
        }

        return _engine.SendAsync(contact, body, cancellationToken);
    }

    /// <summary>Moves the conversation with <paramref name="contact"/> to a new connection now.</summary>
    public void Rotate(HiddenId contact) => _engine.Rotate(contact);

    /// <summary>Adds a contact (messages from them are accepted).</summary>
    public async Task<ContactResult> AddContactAsync(HiddenId contact, string name, CancellationToken cancellationToken)
    {
        var result = await Store.AddContactAsync(contact, name, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(contact, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Renames a contact.</summary>
    public Task<ContactResult> RenameContactAsync(HiddenId contact, string name, CancellationToken cancellationToken) =>
        Store.RenameContactAsync(contact, name, cancellationToken);

    /// <summary>Removes a contact (a later connection from them is a contact request again).</summary>
    public async Task<ContactResult> RemoveContactAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        var result = await Store.RemoveContactAsync(contact, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(contact, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Blocks a sender: their next connection is refused before anything is stored.</summary>
    public async Task<ContactResult> BlockAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        var result = await Store.BlockContactAsync(contact, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(contact, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Accepts a pending contact request under <paramref name="name"/>.</summary>
    public async Task<ContactResult> AcceptRequestAsync(HiddenId contact, string name, CancellationToken cancellationToken)
    {
        var result = await Store.AcceptRequestAsync(contact, name, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(contact, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Rejects a pending contact request (its messages are removed).</summary>
    public async Task<ContactResult> RejectRequestAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        var result = await Store.RejectRequestAsync(contact, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(contact, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Starts a subscription to the events from now on; dispose it to stop.</summary>
    public EventSubscription Subscribe()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var subscription = new EventSubscription(_options.EventSubscriberCapacity, Unsubscribe);
        lock (_subscribersGate)
        {
            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    /// <summary>A snapshot of the network, the hidden point and the messages.</summary>
    public async Task<MessengerStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var counts = await Store.GetCountsAsync(cancellationToken).ConfigureAwait(false);
        var consensus = _core.Consensus.Latest;
        var guards = _core.Guards.Primary
            .Select(id => consensus is not null && consensus.TryGetRelay(id, out var relay) ? relay.Nickname : id.ToString())
            .ToArray();
        ConversationState[] states;
        lock (_statesGate)
        {
            states = [.. _conversationStates.Values];
        }

        return new MessengerStatus(
            HiddenId,
            consensus?.ValidAfter,
            consensus?.Relays.Count ?? 0,
            _core.Directory.SignaturesOfLatest(),
            guards,
            _host.FirstPublished.IsCompletedSuccessfully,
            _host.EstablishedIntroductionPoints,
            _host.Publication,
            counts,
            states);
    }

    /// <summary>Stops everything: conversations, the hidden point, the network, then closes the store. What is pending stays queued.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _incoming.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _engine.DisposeAsync().ConfigureAwait(false);
        await _events.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _host.DisposeAsync().ConfigureAwait(false);
        await _core.DisposeAsync().ConfigureAwait(false);
        foreach (var subscription in Volatile.Read(ref _subscribers))
        {
            subscription.Complete();
        }

        Store.Dispose();
        _signingIdentity.Dispose();
        _identity.Dispose();
        _stopping.Dispose();
        MessengerLog.Stopped(_logger);
    }

    private void Run(TimeProvider timeProvider)
    {
        var incoming = new IncomingConversations(_host, _engine, _options.StreamTimeout, timeProvider, _logger);
        _incoming = Task.Run(() => incoming.RunAsync(_stopping.Token), CancellationToken.None);
        _events = Task.Run(PumpEventsAsync, CancellationToken.None);
    }

    // The engine's events, read by one loop: a new contact request is recorded in the store before anyone hears of it,
    // then every event goes to every subscriber.
    private async Task PumpEventsAsync()
    {
        await foreach (var messagingEvent in _engine.Events.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            switch (messagingEvent)
            {
                case ContactRequestReceived request:
                    await RecordRequestAsync(request.Contact).ConfigureAwait(false);
                    break;
                case ConversationStatusChanged changed:
                    lock (_statesGate)
                    {
                        _conversationStates[changed.Contact] = new ConversationState(changed.Contact, changed.Status, changed.Reason, changed.NextAttemptAt);
                    }

                    break;
            }

            foreach (var subscription in Volatile.Read(ref _subscribers))
            {
                if (!subscription.TryDeliver(messagingEvent))
                {
                    MessengerLog.SubscriberDropped(_logger, subscription.Capacity);
                    Unsubscribe(subscription);
                }
            }
        }
    }

    private async Task RecordRequestAsync(HiddenId contact)
    {
        try
        {
            var result = await Store.AddRequestAsync(contact, _stopping.Token).ConfigureAwait(false);
            if (result == ContactResult.Added)
            {
                _contacts.Set(contact, ContactState.Requested);
            }
        }
#pragma warning disable CA1031 // A request not recorded now is recorded at the sender's next connection; the pump goes on.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            MessengerLog.RequestNotRecorded(_logger, ex);
        }
        catch (OperationCanceledException)
        {
        }
    }

    // The engine's view of one contact, re-read from the store after a change.
    private async Task RefreshAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        var stored = await Store.GetContactAsync(contact, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            _contacts.Forget(contact);
        }
        else
        {
            _contacts.Set(contact, stored.State);
        }
    }

    private void Unsubscribe(EventSubscription subscription)
    {
        lock (_subscribersGate)
        {
            _subscribers = _subscribers.Where(s => s != subscription).ToArray();
        }
    }
}
