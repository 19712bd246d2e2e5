using System.Collections.Concurrent;
using System.Security.Cryptography;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Crypto.HiddenPoints;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Testing.Messaging;

/// <summary>
/// Hidden points that reach one another over in-memory links instead of rendezvous circuits: each dial makes a new
/// link with a fresh random channel binding known to both ends, hands one end to the target engine's
/// <see cref="MessagingEngine.AcceptAsync"/>, and returns the other. A point taken offline cannot be dialled, and its
/// links are severed.
/// </summary>
public sealed class MessagingTestNetwork : IAsyncDisposable
{
    private readonly ConcurrentDictionary<HiddenId, MessagingTestPeer> _peers = new();

    /// <summary>A network whose engines use <paramref name="timeProvider"/> and <paramref name="options"/> (copied per peer).</summary>
    public MessagingTestNetwork(TimeProvider timeProvider, Func<MessagingOptions>? options = null, ILoggerFactory? loggerFactory = null)
    {
        TimeProvider = timeProvider;
        Options = options ?? (() => new MessagingOptions());
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The clock of every engine.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Makes each engine's options.</summary>
    public Func<MessagingOptions> Options { get; }

    /// <summary>The engines' logs.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>A new hidden point with a fresh identity, ledger and contact list, its engine started.</summary>
    public async Task<MessagingTestPeer> AddPeerAsync()
    {
        var peer = new MessagingTestPeer(this);
        _peers[peer.Id] = peer;
        await peer.StartAsync().ConfigureAwait(false);
        return peer;
    }

    /// <summary>Two points that know each other as contacts.</summary>
    public async Task<(MessagingTestPeer A, MessagingTestPeer B)> AddContactsAsync()
    {
        var a = await AddPeerAsync().ConfigureAwait(false);
        var b = await AddPeerAsync().ConfigureAwait(false);
        a.Contacts.Accept(b.Id);
        b.Contacts.Accept(a.Id);
        return (a, b);
    }

    internal async Task<ConversationTransport> DialAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        if (!_peers.TryGetValue(contact, out var target) || !target.Online)
        {
            throw new IOException("The hidden point is not reachable.");
        }

        var link = new SeverableDuplexLink();
        var binding = RandomNumberGenerator.GetBytes(32);
        target.AddLink(link);
        target.Accepted.Enqueue(target.Engine.AcceptAsync(new ConversationTransport(link.B, binding), cancellationToken));
        await Task.Yield();
        return new ConversationTransport(link.A, binding);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var peer in _peers.Values)
        {
            await peer.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>One hidden point of a <see cref="MessagingTestNetwork"/>: identity, ledger, contacts, engine and its events.</summary>
public sealed class MessagingTestPeer : IAsyncDisposable, IConversationDialer
{
    private readonly MessagingTestNetwork _network;
    private readonly ConcurrentQueue<SeverableDuplexLink> _links = new();

    internal MessagingTestPeer(MessagingTestNetwork network)
    {
        _network = network;
        Identity = HiddenPointIdentitySecretKey.Generate();
        Id = Identity.PublicKey.ToHiddenId();
        Engine = NewEngine();
        Log = new MessagingEventLog(Engine);
    }

    /// <summary>Its identity key.</summary>
    public HiddenPointIdentitySecretKey Identity { get; }

    /// <summary>Its hidden-id.</summary>
    public HiddenId Id { get; }

    /// <summary>Its durable state (survives <see cref="RestartAsync"/>).</summary>
    public InMemoryMessageLedger Ledger { get; } = new();

    /// <summary>Its contact decisions.</summary>
    public InMemoryContactPolicy Contacts { get; } = new();

    /// <summary>Its engine (a new one after <see cref="RestartAsync"/>).</summary>
    public MessagingEngine Engine { get; private set; }

    /// <summary>Its engine's events.</summary>
    public MessagingEventLog Log { get; private set; }

    /// <summary>Whether other points can dial it.</summary>
    public bool Online { get; private set; } = true;

    /// <summary>How many connections to it were dialled.</summary>
    public int LinksDialled => _links.Count;

    /// <summary>The links dialled to it, oldest first.</summary>
    public IReadOnlyList<SeverableDuplexLink> Links => [.. _links];

    /// <summary>The outcome of every connection made to it, in order.</summary>
    public ConcurrentQueue<Task<IncomingConnectionOutcome>> Accepted { get; } = new();

    /// <summary>Sends a UTF-8 text.</summary>
    public Task<OutgoingMessage> SendAsync(MessagingTestPeer to, string text)
    {
        ArgumentNullException.ThrowIfNull(to);
        return Engine.SendAsync(to.Id, System.Text.Encoding.UTF8.GetBytes(text), CancellationToken.None);
    }

    /// <summary>Stops being reachable: new dials fail and every link made to it is severed.</summary>
    public void GoOffline()
    {
        Online = false;
        SeverAll();
    }

    /// <summary>Becomes reachable again.</summary>
    public void GoOnline() => Online = true;

    /// <summary>Severs every link made to this point so far.</summary>
    public void SeverAll()
    {
        foreach (var link in _links)
        {
            link.Sever();
        }
    }

    /// <summary>Stops the engine and starts a new one over the same ledger, as a process restart does.</summary>
    public async Task RestartAsync()
    {
        await Engine.DisposeAsync().ConfigureAwait(false);
        await Log.Draining.ConfigureAwait(false);
        Engine = NewEngine();
        Log = new MessagingEventLog(Engine);
        await StartAsync().ConfigureAwait(false);
    }

    Task<ConversationTransport> IConversationDialer.DialAsync(HiddenId contact, CancellationToken cancellationToken) =>
        _network.DialAsync(contact, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync().ConfigureAwait(false);
        Identity.Dispose();
    }

    internal Task StartAsync() => Engine.StartAsync(CancellationToken.None);

    internal void AddLink(SeverableDuplexLink link) => _links.Enqueue(link);

    private MessagingEngine NewEngine() =>
        new(Identity, Ledger, Contacts, this, _network.Options(), _network.TimeProvider, _network.LoggerFactory);
}
