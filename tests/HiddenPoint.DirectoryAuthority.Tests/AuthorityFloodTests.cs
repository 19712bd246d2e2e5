using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Voting;
using HiddenPoint.Protocol.Documents;
using Xunit.Abstractions;
using static HiddenPoint.DirectoryAuthority.Tests.Fixtures;

namespace HiddenPoint.DirectoryAuthority.Tests;

/// <summary>
/// A non-authority floods an authority's vote endpoint with 16 MiB bodies: the authority refuses them from their
/// first lines, its memory stays bounded, and its rounds go on. Runs alone, since it measures the process's memory.
/// </summary>
[Collection(nameof(AuthorityFloodTests))]
public sealed class AuthorityFloodTests(ITestOutputHelper output) : IDisposable
{
    private const int Senders = 50;

    // Before the signer check came first, each of the 50 bodies was buffered whole (16 MiB, through a doubling
    // buffer): at least 800 MiB. What remains is Kestrel's buffers, the refused requests' first lines and garbage
    // not yet collected.
    private const long GrowthBound = 256L * 1024 * 1024;

    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan s_roundBound = TimeSpan.FromSeconds(60);
    private static readonly IPAddress s_attacker = IPAddress.Parse("127.0.0.77");

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hpc-directory-flood-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Fifty_concurrent_16_MiB_posts_from_a_non_authority_keep_memory_bounded_and_the_authority_publishing()
    {
        await using var network = new AuthorityNetwork(_root, 3, s_interval);
        await network.StartAsync(0, 1, 2);
        var mark = network.Events[0].Mark();
        await network.Events[0].WaitAsync(mark, 1, s_roundBound, "ConsensusPublished");
        var before = ValidAfter((await network.ConsensusAsync(0))!);

        var vote = StrangerVote(before);
        Assert.Equal(NetworkStatus.MaxSize, vote.Length);
        using var attacker = AttackerClient();
        var url = new Uri($"http://127.0.0.1:{network.Ports[0]}/hpc/vote");

        // The other endpoints refuse a 16 MiB body by its declared length alone, and close the connection rather than
        // read the rest: the sender sees the 413, or the connection closed under what it was still sending.
        foreach (var path in (string[])["/hpc/signature", "/hpc/descriptor"])
        {
            var refused = await PostAsync(attacker, new Uri($"http://127.0.0.1:{network.Ports[0]}{path}"), vote);
            Assert.True(refused is null or HttpStatusCode.RequestEntityTooLarge, path + ": " + refused);
        }

        var baseline = Settled();
        var baselineWorkingSet = WorkingSet();
        using var stop = new CancellationTokenSource();
        var peak = 0L;
        var peakWorkingSet = 0L;
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                peakWorkingSet = Math.Max(peakWorkingSet, WorkingSet());
                await Task.Delay(10, CancellationToken.None);
            }
        });

        var posts = 0;
        var refusals = new Dictionary<string, int>();
        var flood = Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var outcome = await PostAsync(attacker, url, vote);
                lock (refusals)
                {
                    posts++;
                    var name = outcome?.ToString() ?? "connection closed while sending";
                    refusals[name] = refusals.GetValueOrDefault(name) + 1;
                }

                Assert.NotEqual(HttpStatusCode.OK, outcome);
            }
        })).ToArray();

        // Two rounds complete at the flooded authority while the flood goes on: the second ran under it whole.
        mark = network.Events[0].Mark();
        await network.Events[0].WaitAsync(mark, 2, s_roundBound, "ConsensusPublished");
        await stop.CancelAsync();
        await Task.WhenAll(flood).WaitAsync(s_roundBound);
        await sampler;

        var after = (await network.ConsensusAsync(0))!;
        Assert.True(ValidAfter(after) > before);
        Assert.True(UnverifiedConsensus.TryParse(after, out var unverified, out _));
        Assert.True(unverified.VerifySignatures(network.Pinned).IsValid);

        var growth = peak - baseline;
        output.WriteLine(
            $"{posts} POSTs of {vote.Length:N0} bytes from {Senders} senders: managed heap peak {peak / 1048576.0:F1} MiB, " +
            $"{growth / 1048576.0:F1} MiB over the {baseline / 1048576.0:F1} MiB baseline; working set peak " +
            $"{peakWorkingSet / 1048576.0:F1} MiB, {(peakWorkingSet - baselineWorkingSet) / 1048576.0:F1} MiB over its baseline. " +
            "Answers: " + string.Join(", ", refusals.Select(r => r.Key + " × " + r.Value)));
        Assert.True(posts >= Senders, $"only {posts} POSTs were made");
        Assert.InRange(growth, long.MinValue, GrowthBound);
    }

    private static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static long WorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static DateTimeOffset ValidAfter(byte[] consensus)
    {
        Assert.True(UnverifiedConsensus.TryParse(consensus, out _, out var error), error.ToString());
        var line = Encoding.ASCII.GetString(consensus).Split('\n')[1];
        return DateTimeOffset.Parse(line["valid-after ".Length..] + "Z", System.Globalization.CultureInfo.InvariantCulture);
    }

    // The whole body is sent (or the connection closed under it) before the answer counts: null when closed.
    private static async Task<HttpStatusCode?> PostAsync(HttpClient client, Uri url, byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            using var response = await client.PostAsync(url, content);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    // Connections from another loopback address than the authorities', as a separate machine would make them.
    private static HttpClient AttackerClient() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancel) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(s_attacker, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    // A well-formed vote for the next period, signed by an authority nobody configured, padded after its authority
    // line with x- lines to the 16 MiB document limit: the largest body the vote endpoint used to read whole.
    private static byte[] StrangerVote(DateTimeOffset validAfter)
    {
        using var stranger = AuthorityIdentityKey.Generate();
        var period = new VotingPeriod(validAfter.AddSeconds(4), validAfter.AddSeconds(8), validAfter.AddSeconds(16));
        var document = Encoding.ASCII.GetString(new NetworkStatusBuilder
        {
            ValidAfter = period.ValidAfter,
            FreshUntil = period.FreshUntil,
            ValidUntil = period.ValidUntil,
            SharedRandomPreviousValue = new byte[NetworkStatus.SharedRandomLength],
            SharedRandomCurrentValue = new byte[NetworkStatus.SharedRandomLength],
            Authorities = [Entry(stranger, 77)],
            Relays = [],
        }.BuildVote(stranger));
        var cut = document.IndexOf("\ndirectory-footer", StringComparison.Ordinal) + 1;
        var head = document[..cut];
        var tail = document[cut..];
        var padding = new StringBuilder(NetworkStatus.MaxSize);
        var line = "x-padding " + new string('p', 8000) + "\n";
        while (head.Length + padding.Length + line.Length + tail.Length <= NetworkStatus.MaxSize)
        {
            padding.Append(line);
        }

        var last = NetworkStatus.MaxSize - head.Length - padding.Length - tail.Length - "x-padding \n".Length;
        padding.Append("x-padding ").Append('p', last).Append('\n');
        return Encoding.ASCII.GetBytes(head + padding + tail);
    }
}

[CollectionDefinition(nameof(AuthorityFloodTests), DisableParallelization = true)]
public sealed class AuthorityFloodTestsGroup;
