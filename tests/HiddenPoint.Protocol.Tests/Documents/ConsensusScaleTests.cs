using System.Diagnostics;
using HiddenPoint.Protocol.Documents;
using Xunit.Abstractions;
using static HiddenPoint.Protocol.Tests.Documents.DocumentFixtures;

namespace HiddenPoint.Protocol.Tests.Documents;

/// <summary>
/// A 10,000-relay consensus, signed by 9 authorities, must build, parse and verify quickly: the parser is one linear
/// pass and each signature check hashes the body once. Bounds here are loose enough for Debug builds on a shared
/// machine; the figures are printed (run with -c Release for the real ones).
/// </summary>
[Collection("Heavy document tests")] // run alone, so that the timings are not shared with the mutation run
public class ConsensusScaleTests(ITestOutputHelper output)
{
    private const int RelayCount = 10_000;
    private const int AuthorityCount = 9;

    [Fact]
    public void Ten_thousand_relay_consensus_builds_parses_and_verifies_fast()
    {
        var keys = Enumerable.Range(0, AuthorityCount).Select(Authority).ToArray();
        var relays = Relays(RelayCount, seed: 42);
        var builder = StatusBuilder(keys.Select(AuthorityEntry).ToArray(), relays);
        var pinned = Pinned([.. Enumerable.Range(0, AuthorityCount)]);

        byte[] document = [];
        var build = Best(3, () =>
        {
            var body = builder.BuildBody(NetworkStatusKind.Consensus);
            document = NetworkStatusBuilder.Assemble(body, keys.Select(k => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, k)));
        });

        Consensus? consensus = null;
        var parse = Best(5, () => Assert.True(NetworkStatusParser.TryParseConsensus(document, out _, out _)));
        var parseAndVerify = Best(5, () =>
        {
            Assert.True(NetworkStatusParser.TryParseConsensus(document, out var unverified, out _));
            var check = unverified.VerifySignatures(pinned);
            Assert.True(check.IsValid);
            consensus = check.Value.CheckValidAt(ValidAfter, held: null).Value;
        });

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(NetworkStatusParser.TryParseConsensus(document, out _, out _));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        output.WriteLine($"consensus: {RelayCount} relays, {AuthorityCount} signatures, {document.Length:N0} bytes");
        output.WriteLine($"build (body + {AuthorityCount} signatures + assemble): {build.Wall.TotalMilliseconds:F1} ms wall, {build.Cpu.TotalMilliseconds:F1} ms CPU");
        output.WriteLine($"parse: {parse.Wall.TotalMilliseconds:F1} ms wall, {parse.Cpu.TotalMilliseconds:F1} ms CPU, allocating {allocated / 1024.0 / 1024.0:F1} MiB");
        output.WriteLine($"parse + verify {AuthorityCount} signatures + time check: {parseAndVerify.Wall.TotalMilliseconds:F1} ms wall, {parseAndVerify.Cpu.TotalMilliseconds:F1} ms CPU");

        Assert.NotNull(consensus);
        Assert.Equal(RelayCount, consensus.Relays.Count);
        Assert.True(parseAndVerify.Wall < TimeSpan.FromSeconds(3), $"parse+verify took {parseAndVerify}");
        Assert.True(build.Wall < TimeSpan.FromSeconds(10), $"build took {build}");
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    // Best of several runs, in wall time and in process CPU time (the machine may be shared, which inflates wall time).
    private static (TimeSpan Wall, TimeSpan Cpu) Best(int runs, Action action)
    {
        action(); // warm up
        var bestWall = TimeSpan.MaxValue;
        var bestCpu = TimeSpan.MaxValue;
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < runs; i++)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            action();
            watch.Stop();
            process.Refresh();
            cpu = process.TotalProcessorTime - cpu;
            bestWall = watch.Elapsed < bestWall ? watch.Elapsed : bestWall;
            bestCpu = cpu < bestCpu ? cpu : bestCpu;
        }

        return (bestWall, bestCpu);
    }
}
