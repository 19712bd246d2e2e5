using System.Collections.Concurrent;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Testing.Messaging;

/// <summary>One hidden point of a <see cref="MessagingTestNetwork"/>: identity, ledger, contacts, engine and its events.</summary>
public sealed class MessagingTestPeer : IAsyncDisposable, IConversationDialer
{
    private readonly MessagingTestNetwork _network;
    private readonly ConcurrentQueue<SeverableDuplexLink> _links = new();
    private readonly Lock _linksLock = new();
    private TaskCompletionSource _linkAdded = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    /// <summary>
    /// Waits until at least <paramref name="count"/> connections to it were dialled (a dial can still be on its way
    /// after both sides already talk over the other's connection); throws after <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitForLinksAsync(int count, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task added;
            lock (_linksLock)
            {
                if (_links.Count >= count)
                {
                    return;
                }

                added = _linkAdded.Task;
            }

            try
            {
                await added.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for {count} connections dialled to the point; {_links.Count} were.");
            }
        }
    }

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

    internal void AddLink(SeverableDuplexLink link)
    {
        TaskCompletionSource added;
        lock (_linksLock)
        {
            _links.Enqueue(link);
            added = _linkAdded;
            _linkAdded = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        added.TrySetResult();
    }

    private MessagingEngine NewEngine() =>
        new(Identity, Ledger, Contacts, this, _network.Options(), _network.TimeProvider, _network.LoggerFactory);
}
