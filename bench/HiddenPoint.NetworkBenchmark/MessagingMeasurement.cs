using System.Collections.Concurrent;
using System.Diagnostics;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.NetworkBenchmark;

/// <summary>
/// <c>messages_per_s</c>: two messengers (<see cref="Messenger"/>, each with its own client core, encrypted store at its
/// default durability and hidden point) in this process talk over the benchmark network. Alice queues the messages to
/// Bob (the engine keeps its window of 64 outstanding); the figure is the count over the time from the first send to
/// the acknowledgement of the last (acknowledgements are cumulative). Both messengers run here rather than one in the
/// host child so that the child stays the plain echo host of the other figures; on this machine both processes would
/// share the same two cores either way.
/// </summary>
internal static class MessagingMeasurement
{
    private const int Batch = 64;
    private const int WarmUp = 64;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    public static async Task<double> RunAsync(BenchNetwork network, int count, Action<string> say, CancellationToken cancel)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        bound.CancelAfter(Limit);
        using var meters = new TestMeterFactory();
        var alice = await StartAsync(network, "alice", meters, bound.Token).ConfigureAwait(false);
        await using (alice.ConfigureAwait(false))
        {
            var bob = await StartAsync(network, "bob", meters, bound.Token).ConfigureAwait(false);
            await using (bob.ConfigureAwait(false))
            {
                await Task.WhenAll(alice.FirstPublished, bob.FirstPublished).WaitAsync(bound.Token).ConfigureAwait(false);
                say("two messengers up and published");
                await alice.AddContactAsync(bob.HiddenId, "bob", bound.Token).ConfigureAwait(false);
                await bob.AddContactAsync(alice.HiddenId, "alice", bound.Token).ConfigureAwait(false);
                using var aliceEvents = alice.Subscribe();
                using var bobEvents = bob.Subscribe();
                var delivered = new Acknowledgements();
                var pump = delivered.ReadAsync(aliceEvents.Events, bound.Token);
                var drain = DrainAsync(bobEvents.Events, bound.Token);
                var body = new byte[100];
                body.AsSpan().Fill((byte)'m');

                // The conversation's first connection (descriptor, rendezvous, hello) is not part of the rate.
                await SendAsync(alice, bob.HiddenId, body, WarmUp, delivered, bound.Token).ConfigureAwait(false);
                var started = Stopwatch.GetTimestamp();
                await SendAsync(alice, bob.HiddenId, body, count, delivered, bound.Token).ConfigureAwait(false);
                var rate = count / Stopwatch.GetElapsedTime(started).TotalSeconds;
                await bound.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(pump, drain).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return rate;
            }
        }
    }

    private static Task<Messenger> StartAsync(BenchNetwork network, string name, TestMeterFactory meters, CancellationToken cancel)
    {
        var folder = Path.Combine(network.Directory, name);
        var options = new MessengerOptions
        {
            DataDirectory = folder,
            CreateIfMissing = true,
            Core = BenchClientOptions.Create(folder, network.ClientAuthorities(), poolSize: new Client.Circuits.CircuitBuilderOptions().PoolSize),

            // The passphrase's key derivation only slows the start; it has no part in the rate.
            Store = new MessageStoreOptions { KdfMemoryKib = 8, KdfPasses = 1 },
        };
        return Messenger.StartAsync(options, new BenchPassphrase(), TimeProvider.System, NullLoggerFactory.Instance, meters, null, cancel);
    }

    private static async Task SendAsync(Messenger from, HiddenId to, byte[] body, int count, Acknowledgements delivered, CancellationToken cancel)
    {
        OutgoingMessage? last = null;
        var batch = new Task<OutgoingMessage>[Batch];
        for (var sent = 0; sent < count; sent += Batch)
        {
            var size = Math.Min(Batch, count - sent);
            for (var i = 0; i < size; i++)
            {
                batch[i] = from.SendAsync(to, body, cancel);
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
        await delivered.WaitAsync(last!.Id, cancel).ConfigureAwait(false);
    }

    private static async Task DrainAsync(System.Threading.Channels.ChannelReader<MessagingEvent> events, CancellationToken cancel)
    {
        await foreach (var _ in events.ReadAllAsync(cancel).ConfigureAwait(false))
        {
        }
    }

    /// <summary>The benchmark's stores' passphrase: a fixed one, the stores live only as long as the run's folder.</summary>
    private sealed class BenchPassphrase : PassphraseSource
    {
        public override ValueTask<Passphrase> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Passphrase.FromText("hpc network benchmark"));
    }

    /// <summary>Delivered acknowledgements by message id, awaitable.</summary>
    private sealed class Acknowledgements
    {
        private readonly ConcurrentDictionary<MessageId, TaskCompletionSource> _waits = new();

        public async Task ReadAsync(System.Threading.Channels.ChannelReader<MessagingEvent> events, CancellationToken cancel)
        {
            await foreach (var messagingEvent in events.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                if (messagingEvent is DeliveryStateChanged { State: DeliveryState.Delivered } changed)
                {
                    Wait(changed.Id).TrySetResult();
                }
            }
        }

        public Task WaitAsync(MessageId id, CancellationToken cancel) => Wait(id).Task.WaitAsync(cancel);

        private TaskCompletionSource Wait(MessageId id) => _waits.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
