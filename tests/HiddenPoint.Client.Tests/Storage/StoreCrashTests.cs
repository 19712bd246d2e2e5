using System.Globalization;
using System.Text;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Testing;
using Xunit.Abstractions;

namespace HiddenPoint.Client.Tests.Storage;

/// <summary>
/// A real process writes to the store and is killed with SIGKILL at a random point; every call it reported complete
/// before dying must be in the store afterwards, with no gap and nothing doubled.
/// </summary>
public sealed class StoreCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int ContactSeed = 7;
    private const int Rounds = 4;

    private readonly StoreFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Every_completed_call_survives_kill_9_at_random_points()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var enqueued = new Dictionary<ulong, string>();
        ulong accepted = 0, delivered = 0;
        var contact = TestHiddenIds.FromSeed(ContactSeed);

        for (var round = 0; round < Rounds; round++)
        {
            var reportsBeforeKill = random.Next(1, 150);
            using (var child = StoreChild.Start(["write", _fixture.DatabasePath, ContactSeed.ToString(CultureInfo.InvariantCulture)]))
            {
                try
                {
                    Assert.Equal("ready", await ReadLineAsync(child));
                    for (var i = 0; i < reportsBeforeKill; i++)
                    {
                        Record(await ReadLineAsync(child), enqueued, ref accepted, ref delivered);
                    }
                }
                finally
                {
                    child.Kill(); // SIGKILL on Unix
                }

                await child.WaitForExitAsync().WaitAsync(TestTimeouts.Step);

                // Lines already in the pipe were written after their call completed: they count too.
                var rest = await child.StandardOutput.ReadToEndAsync().WaitAsync(TestTimeouts.Step);
                foreach (var line in rest.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    Record(line, enqueued, ref accepted, ref delivered);
                }
            }

            output.WriteLine($"round {round}: killed after {reportsBeforeKill} reports; enqueued {enqueued.Count}, accepted {accepted}, delivered {delivered}");
            accepted = await CheckAsync(contact, enqueued, accepted, delivered);
        }
    }

    // Checks the store against what the child reported, and returns the incoming count found. A call that completed in
    // the moment before the kill, unreported, is allowed once per round; it is then taken into what later rounds expect
    // (into enqueued, and by the returned count), so that one such call per round does not add up across rounds.
    private async Task<ulong> CheckAsync(Crypto.HiddenPoints.HiddenId contact, Dictionary<ulong, string> enqueued, ulong accepted, ulong delivered)
    {
        using var store = await _fixture.OpenAsync(create: false);
        var history = new List<HistoryEntry>();
        long? before = null;
        do
        {
            var page = await store.GetHistoryAsync(contact, MessageStore.MaxPageSize, before, CancellationToken.None).WaitAsync(TestTimeouts.Step);
            history.InsertRange(0, page.Entries);
            before = page.Older;
        }
        while (before is not null);

        var outgoing = history.Where(e => e.Direction == MessageDirection.Outgoing).ToList();
        var incoming = history.Where(e => e.Direction == MessageDirection.Incoming).ToList();

        // Gapless, no doubles; at most one call completed without being reported.
        Assert.Equal(Enumerable.Range(1, outgoing.Count).Select(i => (ulong)i), outgoing.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(1, incoming.Count).Select(i => (ulong)i), incoming.Select(e => e.Sequence));
        Assert.InRange(outgoing.Count, enqueued.Count, enqueued.Count + 1);
        Assert.InRange((ulong)incoming.Count, accepted, accepted + 1);
        Assert.Equal((ulong)incoming.Count, await store.DeliveredThroughAsync(contact, CancellationToken.None));

        foreach (var (sequence, id) in enqueued)
        {
            var entry = outgoing[(int)sequence - 1];
            Assert.Equal(id, entry.Id.ToString());
            Assert.Equal(id, Encoding.UTF8.GetString(entry.Body.Span));
        }

        Assert.All(outgoing.Where(e => e.Sequence <= delivered), e => Assert.Equal(DeliveryState.Delivered, e.State));
        Assert.All(incoming, e => Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"incoming {e.Sequence}"), Encoding.UTF8.GetString(e.Body.Span)));
        Assert.True((await store.VerifyAsync(CancellationToken.None)).IsIntact);
        foreach (var unreported in outgoing.Where(e => !enqueued.ContainsKey(e.Sequence)))
        {
            enqueued.Add(unreported.Sequence, unreported.Id.ToString());
        }

        return (ulong)incoming.Count;
    }

    private static void Record(string line, Dictionary<ulong, string> enqueued, ref ulong accepted, ref ulong delivered)
    {
        var parts = line.Trim().Split(' ');
        var sequence = ulong.Parse(parts[1], CultureInfo.InvariantCulture);
        switch (parts[0])
        {
            case "E":
                enqueued.Add(sequence, parts[2]);
                break;
            case "A":
                accepted = Math.Max(accepted, sequence);
                break;
            case "D":
                delivered = Math.Max(delivered, sequence);
                break;
            default:
                throw new InvalidOperationException("Unexpected line from the child: " + line);
        }
    }

    private static async Task<string> ReadLineAsync(System.Diagnostics.Process child)
    {
        var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TestTimeouts.Step * 2);
        return line ?? throw new InvalidOperationException("The child ended early: " + await child.StandardError.ReadToEndAsync());
    }
}
