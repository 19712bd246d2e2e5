using System.Collections.Concurrent;
using System.Security.Cryptography;
using HiddenPoint.Client.Messaging.Conversations;
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

    /// <summary>Awaited at the start of every dial (a test holds dials here to make two of them cross).</summary>
    public Func<CancellationToken, Task>? BeforeDial { get; set; }

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
        if (BeforeDial is { } hold)
        {
            await hold(cancellationToken).ConfigureAwait(false);
        }

        if (!_peers.TryGetValue(contact, out var target) || !target.Online)
        {
            throw new IOException("The hidden point is not reachable.");
        }

        var link = new SeverableDuplexLink();
        var binding = RandomNumberGenerator.GetBytes(32);
        target.AddLink(link);
        target.Accepted.Enqueue(target.Engine.AcceptAsync(new ConversationTransport(link.B, binding), cancellationToken));

        // A real dial never completes inline; neither does this one, so the engine sees the same ordering.
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
