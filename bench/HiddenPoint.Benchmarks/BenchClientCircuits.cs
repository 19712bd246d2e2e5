using HiddenPoint.Testing;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Guards;
using HiddenPoint.Client.Paths;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.Links;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// The circuit machinery one client process holds, composed as the client core composes it (link runtime with the
/// default link and circuit options, link manager, guards with vanguards, path selection, circuit builder), except that
/// guard state stays in memory and the subnet rule is off: every relay of an in-process network listens on 127.0.0.1.
/// </summary>
internal sealed class BenchClientCircuits : IAsyncDisposable
{
    private readonly TestMeterFactory _meters;
    private readonly LinkRuntime _runtime;
    private readonly LinkManager _links;

    private BenchClientCircuits(TestMeterFactory meters, LinkRuntime runtime, LinkManager links, CircuitBuilder builder)
    {
        _meters = meters;
        _runtime = runtime;
        _links = links;
        Builder = builder;
    }

    /// <summary>The circuit builder: the <see cref="ICircuitProvider"/> of the host or connector.</summary>
    public CircuitBuilder Builder { get; }

    /// <summary>A client over <paramref name="consensus"/>, whose guards are sampled from it at once.</summary>
    public static BenchClientCircuits Create(IConsensusSource consensus, CircuitBuilderOptions options)
    {
        if (!consensus.TryGetUsable(out var usable, out var reason))
        {
            throw new InvalidOperationException($"No usable consensus: {reason}.");
        }

        var meters = new TestMeterFactory();
        var runtime = new LinkRuntime(Options.Create(new LinkOptions()), Options.Create(new CircuitOptions()), TimeProvider.System, NullLoggerFactory.Instance, meters);
        var links = new LinkManager(runtime, Options.Create(new LinkManagerOptions()));
        var picker = new WeightedRelayPicker(new PathRules(ConsensusFamilies.Instance, new PathOptions { EnforceDistinctSubnets = false }));
        var guards = new GuardManager(new GuardOptions(), new InMemoryGuardStateStore(), picker, TimeProvider.System);
        guards.Update(usable);
        var builder = new CircuitBuilder(consensus, links, new PathSelector(picker, guards), guards, options, TimeProvider.System);
        return new BenchClientCircuits(meters, runtime, links, builder);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Builder.DisposeAsync().ConfigureAwait(false);
        await _links.DisposeAsync().ConfigureAwait(false);
        _runtime.Dispose();
        _meters.Dispose();
    }
}
