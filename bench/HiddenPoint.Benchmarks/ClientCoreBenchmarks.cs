using BenchmarkDotNet.Attributes;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Guards;
using HiddenPoint.Client.Paths;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Testing;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// The client core's circuit builder over real relay engines in this process, on loopback: a whole request as the
/// hidden-point code makes it (path selection with guards and vanguards, the guard's link from the link manager, CREATE2,
/// the EXTEND2s, the learned-timeout bookkeeping), then the circuit closed. The pool is off, so every operation builds.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ClientCoreBenchmarks
{
    private TestRelay[] _nodes = null!;
    private LinkRuntime _runtime = null!;
    private LinkManager _links = null!;
    private CircuitBuilder _builder = null!;
    private RelayStatus _target = null!;

    [GlobalSetup]
    public void Setup()
    {
        var role = new RelayForwardingBenchmarks.CountingRole();
        _nodes = [.. Enumerable.Range(0, 6).Select(i => RelayBench.StartRelay(i, role))];
        var consensus = RelayNetwork.Publish(_nodes);
        _runtime = TestLinks.Runtime(link: RelayBench.Unthrottled);
        _links = new LinkManager(_runtime, Microsoft.Extensions.Options.Options.Create(new LinkManagerOptions()));

        // Every relay here listens on 127.0.0.1: the subnet rule is off for this benchmark alone.
        var picker = new WeightedRelayPicker(new PathRules(ConsensusFamilies.Instance, new PathOptions { EnforceDistinctSubnets = false }));
        var guards = new GuardManager(new GuardOptions(), new InMemoryGuardStateStore(), picker, TimeProvider.System);
        _builder = new CircuitBuilder(_nodes[0].Consensus, _links, new PathSelector(picker, guards), guards, new CircuitBuilderOptions { PoolSize = 0 }, TimeProvider.System);
        guards.Update(consensus);
        _target = consensus.Relays.First(r => r.Id != guards.Primary[0] && guards.Vanguards.All(v => v.Id != r.Id));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _builder.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _links.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _runtime.Dispose();
        foreach (var node in _nodes)
        {
            node.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>A General circuit: guard · middle · last (3 hops).</summary>
    [Benchmark]
    public async Task BuildGeneral()
    {
        var built = await _builder.BuildAsync(CircuitPurpose.General, null, CancellationToken.None).ConfigureAwait(false);
        await built.Circuit.CloseAsync().ConfigureAwait(false);
    }

    /// <summary>An HSDir circuit to a named relay: guard · vanguard · middle · target (4 hops).</summary>
    [Benchmark]
    public async Task BuildHsDir()
    {
        var built = await _builder.BuildAsync(CircuitPurpose.HsDir, _target, CancellationToken.None).ConfigureAwait(false);
        await built.Circuit.CloseAsync().ConfigureAwait(false);
    }
}
