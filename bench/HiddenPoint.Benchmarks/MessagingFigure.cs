using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Testing.Network;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// The end-to-end messaging figures on the in-process network (three authorities and eight relay hosts in this
/// process, two messengers each with its own client core, encrypted store at its default durability and hidden point):
/// <c>messages_per_s</c>, acknowledged 100-byte messages per second on one conversation (sent in batches of 64, timed
/// from the first send to the last acknowledgement), and the round trip of one message at a time (send → delivered),
/// median and p99. All parties share this process and its cores.
/// </summary>
internal static class MessagingFigure
{
    /// <summary>The mode.</summary>
    public const string Mode = "--messaging";

    /// <summary>Messages in the throughput run when none is given.</summary>
    public const int DefaultCount = 20_000;

    private const int Batch = 64;
    private const int RoundTrips = 1_000;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(int count)
    {
        Console.WriteLine("starting 3 authorities and 8 relays…");
        await using var network = await MessengerTestNetwork.StartAsync(NullLoggerFactory.Instance).ConfigureAwait(false);
        var alice = await network.StartMessengerAsync(network.Options("alice")).ConfigureAwait(false);
        var bob = await network.StartMessengerAsync(network.Options("bob")).ConfigureAwait(false);
        await alice.AddContactAsync(bob.HiddenId, "bob", CancellationToken.None).ConfigureAwait(false);
        await bob.AddContactAsync(alice.HiddenId, "alice", CancellationToken.None).ConfigureAwait(false);
        using var aliceEvents = alice.Subscribe();
        using var bobEvents = bob.Subscribe();
        var delivered = new Acknowledgements();
        var pump = Task.Run(() => delivered.ReadAsync(aliceEvents.Events));
        var drain = Task.Run(async () =>
        {
            await foreach (var _ in bobEvents.Events.ReadAllAsync().ConfigureAwait(false))
            {
            }
        });

        var body = new byte[100];
        body.AsSpan().Fill((byte)'m');
        using var limit = new CancellationTokenSource(Limit);

        // Warm-up: the conversation's connection, the JIT, the store's pages.
        await SendBatchesAsync(alice, bob.HiddenId, body, 256, delivered, limit.Token).ConfigureAwait(false);

        Console.WriteLine($"sending {count:N0} messages of 100 bytes…");
        var clock = Stopwatch.StartNew();
        await SendBatchesAsync(alice, bob.HiddenId, body, count, delivered, limit.Token).ConfigureAwait(false);
        var throughput = count / clock.Elapsed.TotalSeconds;

        Console.WriteLine($"{RoundTrips:N0} round trips, one message at a time…");
        var samples = new double[RoundTrips];
        for (var i = 0; i < RoundTrips; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var message = await alice.SendAsync(bob.HiddenId, body, limit.Token).ConfigureAwait(false);
            await delivered.WaitAsync(message.Id, limit.Token).ConfigureAwait(false);
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(samples);
        Console.WriteLine("==== hpc messaging figures ====");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"messaging.messages_per_s={throughput:0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"messaging.rtt_ms_median={samples[RoundTrips / 2]:0.000}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"messaging.rtt_ms_p99={samples[(int)(RoundTrips * 0.99) - 1]:0.000}"));
        Console.WriteLine("==== end ====");

        await network.StopMessengerAsync(alice).ConfigureAwait(false);
        await network.StopMessengerAsync(bob).ConfigureAwait(false);
        await Task.WhenAll(pump, drain).ConfigureAwait(false);
        return 0;
    }

    private static async Task SendBatchesAsync(
        Client.Messaging.Service.Messenger from, HiddenId to, byte[] body, int count, Acknowledgements delivered, CancellationToken cancellationToken)
    {
        OutgoingMessage? last = null;
        var batch = new Task<OutgoingMessage>[Batch];
        for (var sent = 0; sent < count; sent += Batch)
        {
            var size = Math.Min(Batch, count - sent);
            for (var i = 0; i < size; i++)
            {
                batch[i] = from.SendAsync(to, body, cancellationToken);
            }

            foreach (var message in await Task.WhenAll(batch.Take(size)).ConfigureAwait(false))
            {
                if (last is null || message.Sequence > last.Sequence)
                {
                    last = message;
                }
            }
        }

        // Acknowledgements are cumulative: the highest sequence delivered means every one before it was.
        await delivered.WaitAsync(last!.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delivered acknowledgements by message id, awaitable.</summary>
    private sealed class Acknowledgements
    {
        private readonly ConcurrentDictionary<MessageId, TaskCompletionSource> _waits = new();

        public async Task ReadAsync(System.Threading.Channels.ChannelReader<MessagingEvent> events)
        {
            await foreach (var messagingEvent in events.ReadAllAsync().ConfigureAwait(false))
            {
                if (messagingEvent is DeliveryStateChanged { State: DeliveryState.Delivered } changed)
                {
                    Wait(changed.Id).TrySetResult();
                }
            }
        }

        public Task WaitAsync(MessageId id, CancellationToken cancellationToken) => Wait(id).Task.WaitAsync(cancellationToken);

        private TaskCompletionSource Wait(MessageId id) => _waits.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
