using System.Collections.Concurrent;
using System.Threading.Channels;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Protocol;
using HiddenPoint.Crypto.HiddenPoints;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>
/// The conversation engine of one hidden point: a conversation per contact over connections this side opens (through
/// the dialer) or accepts (<see cref="AcceptAsync"/>), durable state in the ledger, and what the user should see as
/// <see cref="Events"/>. The engine runs over plain duplex pipes; the hidden-point layer supplies them.
/// </summary>
public sealed class MessagingEngine : IAsyncDisposable
{
    private readonly ConcurrentDictionary<HiddenId, Conversation> _conversations = new();
    private readonly Channel<MessagingEvent> _events;
    private readonly IContactPolicy _contacts;
    private readonly ContactRequestLimiter _requests;
    private readonly CancellationTokenSource _stop = new();
    private long _conversationNumbers;
    private long _connectionNumbers;
    private int _disposed;

    /// <summary>Creates the engine; nothing runs until <see cref="StartAsync"/> or the first send or connection.</summary>
    /// <param name="identity">This hidden point's identity key (proves this side in each Hello it sends). Not owned.</param>
    /// <param name="ledger">Where durable state lives.</param>
    /// <param name="contacts">The user's decisions about senders.</param>
    /// <param name="dialer">Opens connections to contacts.</param>
    /// <param name="options">Validated here.</param>
    /// <param name="timeProvider">The clock of every timer.</param>
    /// <param name="loggerFactory">Logs (never naming contacts).</param>
    public MessagingEngine(
        HiddenPointIdentitySecretKey identity,
        IMessageLedger ledger,
        IContactPolicy contacts,
        IConversationDialer dialer,
        MessagingOptions options,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(contacts);
        ArgumentNullException.ThrowIfNull(dialer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        options.Validate();
        Identity = identity;
        Ledger = ledger;
        _contacts = contacts;
        Dialer = dialer;
        Options = options;
        Time = timeProvider;
        Logger = loggerFactory.CreateLogger<MessagingEngine>();
        _requests = new ContactRequestLimiter(options.MaxContactRequestsPerWindow, options.ContactRequestWindow, timeProvider);
        _events = Channel.CreateBounded<MessagingEvent>(new BoundedChannelOptions(options.EventCapacity)
        {
            SingleReader = false,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>What the user should see, in the order it happened per conversation. Read it: conversations wait when it is full.</summary>
    public ChannelReader<MessagingEvent> Events => _events.Reader;

    internal HiddenPointIdentitySecretKey Identity { get; }

    internal IMessageLedger Ledger { get; }

    internal IConversationDialer Dialer { get; }

    internal MessagingOptions Options { get; }

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    /// <summary>Resumes every conversation with messages still pending (after a restart): they are sent again, in order.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        foreach (var contact in await Ledger.ContactsWithPendingAsync(cancellationToken).ConfigureAwait(false))
        {
            ConversationWith(contact);
        }
    }

    /// <summary>
    /// Queues a message to <paramref name="contact"/> (durably, through the ledger) and returns it; it is sent when the
    /// contact is reachable. Throws <see cref="ArgumentException"/> for a body over 16 KiB or not UTF-8.
    /// </summary>
    public Task<OutgoingMessage> SendAsync(HiddenId contact, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contact);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        FrameEncoder.CheckBody(body.Span);
        return ConversationWith(contact).SendAsync(body, cancellationToken);
    }

    /// <summary>Moves the conversation with <paramref name="contact"/> to a new connection now (if it has one).</summary>
    public void Rotate(HiddenId contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (_conversations.TryGetValue(contact, out var conversation))
        {
            conversation.Post(new RotateRequested());
        }
    }

    /// <summary>
    /// Takes an incoming connection to this hidden point: reads its Hello, checks the proof against this connection's
    /// binding, asks the contact policy, and either joins the sender's conversation or refuses (nothing stored). The
    /// transport is the engine's from here on, whatever the outcome.
    /// </summary>
    public async Task<IncomingConnectionOutcome> AcceptAsync(ConversationTransport transport, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var connection = new ConversationConnection(NextConnectionNumber(), transport, outgoing: false);
        try
        {
            using var helloTimeout = new CancellationTokenSource(Options.HelloTimeout, Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, helloTimeout.Token, _stop.Token);
            var (frame, error) = await ConversationHandshake.ReadOneAsync(transport.Pipe.Input, linked.Token).ConfigureAwait(false);
            if (frame is not HelloFrame hello)
            {
                if (error.Kind == HiddenPoint.Protocol.Wire.DecodeErrorKind.UnsupportedVersion)
                {
                    return await RefuseAsync(connection, RefusalReason.UnsupportedVersion, IncomingConnectionOutcome.RefusedUnsupportedVersion).ConfigureAwait(false);
                }

                MessagingLog.HelloFailed(Logger, frame is null ? error.Kind.ToString() : "first frame is not a Hello");
                await connection.CloseAsync(readLoopRunning: false).ConfigureAwait(false);
                return IncomingConnectionOutcome.Failed;
            }

            if (!HelloProof.Verify(hello, transport.ChannelBinding.Span))
            {
                return await RefuseAsync(connection, RefusalReason.InvalidProof, IncomingConnectionOutcome.RefusedInvalidProof).ConfigureAwait(false);
            }

            var contact = hello.IdentityKey.ToHiddenId();
            var decision = _contacts.Decide(contact);
            if (decision == ContactDecision.Refuse)
            {
                return await RefuseAsync(connection, RefusalReason.Blocked, IncomingConnectionOutcome.RefusedBlocked).ConfigureAwait(false);
            }

            var isNewRequest = false;
            if (decision == ContactDecision.Request && !_requests.TryAdmit(contact, out isNewRequest))
            {
                return await RefuseAsync(connection, RefusalReason.RequestRateLimited, IncomingConnectionOutcome.RefusedRateLimited).ConfigureAwait(false);
            }

            FrameEncoder.WriteHelloAccepted(transport.Pipe.Output);
            await transport.Pipe.Output.FlushAsync(linked.Token).ConfigureAwait(false);
            if (isNewRequest)
            {
                MessagingLog.ContactRequestAdmitted(Logger);
                await RaiseAsync(new ContactRequestReceived(contact), linked.Token).ConfigureAwait(false);
            }

            var asRequest = decision == ContactDecision.Request;
            if (!ConversationWith(contact).Post(new ConnectionAttached(connection, asRequest)))
            {
                await connection.CloseAsync(readLoopRunning: false).ConfigureAwait(false);
                return IncomingConnectionOutcome.Failed;
            }

            return asRequest ? IncomingConnectionOutcome.AcceptedAsRequest : IncomingConnectionOutcome.Accepted;
        }
#pragma warning disable CA1031 // A connection that fails or stalls during its Hello is closed; the engine goes on.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            MessagingLog.HelloFailed(Logger, exception.GetType().Name);
            await connection.CloseAsync(readLoopRunning: false).ConfigureAwait(false);
            return IncomingConnectionOutcome.Failed;
        }
    }

    /// <summary>Stops every conversation and closes its connections; what is pending stays in the ledger.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var conversation in _conversations.Values)
        {
            await conversation.StopAsync().ConfigureAwait(false);
            conversation.Dispose();
        }

        _events.Writer.TryComplete();
        _stop.Dispose();
    }

    internal long NextConnectionNumber() => Interlocked.Increment(ref _connectionNumbers);

    internal ValueTask RaiseAsync(MessagingEvent @event, CancellationToken cancellationToken) =>
        _events.Writer.WriteAsync(@event, cancellationToken);

    private Conversation ConversationWith(HiddenId contact)
    {
        if (_conversations.TryGetValue(contact, out var existing))
        {
            return existing;
        }

        var created = new Conversation(contact, Interlocked.Increment(ref _conversationNumbers), this);
        var conversation = _conversations.GetOrAdd(contact, created);
        if (ReferenceEquals(conversation, created))
        {
            created.Start();
        }

        return conversation;
    }

    private async Task<IncomingConnectionOutcome> RefuseAsync(ConversationConnection connection, RefusalReason reason, IncomingConnectionOutcome outcome)
    {
        MessagingLog.HelloRefused(Logger, reason);
        try
        {
            FrameEncoder.WriteRefused(connection.Output, reason);
            await connection.Output.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            await connection.CloseAsync(readLoopRunning: false).ConfigureAwait(false);
        }

        return outcome;
    }
}
