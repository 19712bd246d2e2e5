using System.Security.Cryptography;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Testing.Messaging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// The conversation engine's ceiling: two engines in this process, one conversation between them over an in-memory
/// duplex pipe (no circuit, no network), each with the in-memory ledger. <see cref="AcknowledgedMessages"/>: one
/// operation is one 100-byte message sent and acknowledged (queued through the ledger, written within the window,
/// decoded, stored by the receiver, acknowledged, marked delivered), so messages/s = 1 / mean.
/// <see cref="RoundTrip"/>: one message sent and its delivered acknowledgement seen by the sender, alone on the
/// conversation.
/// </summary>
[MemoryDiagnoser]
public class ConversationBenchmarks
{
    /// <summary>Messages per invocation of the throughput benchmark.</summary>
    public const int MessagesPerInvoke = 5_000;

    private static readonly byte[] Body = [.. Enumerable.Repeat((byte)'x', 100)];

    private Endpoint _a = null!;
    private Endpoint _b = null!;
    private long _delivered;
    private long _target;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The window of outstanding messages.</summary>
    [Params(64, 256)]
    public int Window { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new MessagingOptions { WindowSize = Window, RotationInterval = TimeSpan.Zero };
        _a = new Endpoint(options);
        _b = new Endpoint(options);
        _a.Peer = _b;
        _b.Peer = _a;
        _a.Contacts.Accept(_b.Id);
        _b.Contacts.Accept(_a.Id);
        _ = CountDeliveredAsync(_a.Engine.Events);
        _ = DiscardAsync(_b.Engine.Events);
        RoundTrip().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _a.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _b.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = MessagesPerInvoke)]
    public async Task AcknowledgedMessages()
    {
        var done = Expect(MessagesPerInvoke);
        for (var i = 0; i < MessagesPerInvoke; i++)
        {
            await _a.Engine.SendAsync(_b.Id, Body, CancellationToken.None).ConfigureAwait(false);
        }

        await done.ConfigureAwait(false);
    }

    [Benchmark]
    public async Task RoundTrip()
    {
        var done = Expect(1);
        await _a.Engine.SendAsync(_b.Id, Body, CancellationToken.None).ConfigureAwait(false);
        await done.ConfigureAwait(false);
    }

    private Task Expect(int count)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = _reached;
        if (Interlocked.Add(ref _target, count) <= Interlocked.Read(ref _delivered))
        {
            reached.TrySetResult();
        }

        return reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private async Task CountDeliveredAsync(ChannelReader<MessagingEvent> events)
    {
        await foreach (var @event in events.ReadAllAsync().ConfigureAwait(false))
        {
            if (@event is DeliveryStateChanged { State: DeliveryState.Delivered } &&
                Interlocked.Increment(ref _delivered) >= Interlocked.Read(ref _target))
            {
                _reached.TrySetResult();
            }
        }
    }

    private static async Task DiscardAsync(ChannelReader<MessagingEvent> events)
    {
        await foreach (var _ in events.ReadAllAsync().ConfigureAwait(false))
        {
        }
    }

    /// <summary>One hidden point: identity, ledger, contacts, engine; dials its peer over a fresh in-memory pipe.</summary>
    private sealed class Endpoint : IConversationDialer, IAsyncDisposable
    {
        private readonly HiddenPointIdentitySecretKey _identity = HiddenPointIdentitySecretKey.Generate();

        public Endpoint(MessagingOptions options)
        {
            Id = _identity.PublicKey.ToHiddenId();
            Engine = new MessagingEngine(_identity, new InMemoryMessageLedger(), Contacts, this, options, TimeProvider.System, NullLoggerFactory.Instance);
        }

        public HiddenId Id { get; }

        public InMemoryContactPolicy Contacts { get; } = new();

        public MessagingEngine Engine { get; }

        public Endpoint? Peer { get; set; }

        public Task<ConversationTransport> DialAsync(HiddenId contact, CancellationToken cancellationToken)
        {
            var (near, far) = DuplexPipePair.Create();
            var binding = RandomNumberGenerator.GetBytes(32);
            _ = Peer!.Engine.AcceptAsync(new ConversationTransport(far, binding), cancellationToken);
            return Task.FromResult(new ConversationTransport(near, binding));
        }

        public async ValueTask DisposeAsync()
        {
            await Engine.DisposeAsync().ConfigureAwait(false);
            _identity.Dispose();
        }
    }
}
