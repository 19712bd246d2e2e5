using System.Collections.Concurrent;
using System.Net.Sockets;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Testing;
using HiddenPoint.Testing.Network;

namespace HiddenPoint.Client.Tests.HiddenPoints;

/// <summary>
/// TEST FIXTURE, not the client's circuit builder: an <see cref="ICircuitProvider"/> that builds real three-hop
/// circuits (real links, ntor v3, CGO over loopback) through <see cref="HiddenPointTestNetwork"/> along fixed paths, until
/// the real builder (paths, guards, vanguards) is there to test against. Relays 0–2 are the guard and middle of every
/// path (never killed); relay 3 is the rendezvous point clients choose; relays 4 and up are the introduction points
/// hosts are given, round robin over those still up. A given last hop is used as it is.
/// </summary>
internal sealed class FixedPathCircuitProviderFixture : ICircuitProvider, IAsyncDisposable
{
    private const int CoreRelays = 3;
    private const int RendezvousRelay = 3;
    private const int FirstIntroductionRelay = 4;

    private readonly HiddenPointTestNetwork _network;
    private readonly Originator _originator = new();
    private int _nextIntroduction;

    public FixedPathCircuitProviderFixture(HiddenPointTestNetwork network)
    {
        _network = network;
    }

    /// <summary>Every request, in order: the purpose and the last hop asked for (none when the fixture chose it).</summary>
    public ConcurrentQueue<(CircuitPurpose Purpose, RelayId? LastHop)> Requests { get; } = new();

    /// <summary>Runs before each build (a test kills a relay here).</summary>
    public Func<CircuitPurpose, RelayStatus?, ValueTask>? BeforeBuild { get; set; }

    public async Task<ProvidedCircuit> GetAsync(CircuitPurpose purpose, RelayStatus? lastHop, CancellationToken cancellationToken)
    {
        Requests.Enqueue((purpose, lastHop?.Id));
        if (BeforeBuild is { } hook)
        {
            await hook(purpose, lastHop).ConfigureAwait(false);
        }

        var last = lastHop ?? ChooseLastHop(purpose);
        var path = new List<RelayStatus>();
        for (var i = 0; i < CoreRelays && path.Count < 2; i++)
        {
            var relay = _network.StatusOf(i);
            if (relay.Id != last.Id)
            {
                path.Add(relay);
            }
        }

        path.Add(last);
        try
        {
            return new ProvidedCircuit(await _originator.BuildAsync(path, cancellationToken).ConfigureAwait(false), path);
        }
        catch (Exception ex) when (ex is CircuitException or SocketException or InvalidOperationException)
        {
            throw new CircuitBuildException(purpose, 1, "The fixed path could not be built.", ex);
        }
    }

    public ValueTask DisposeAsync() => _originator.DisposeAsync();

    private RelayStatus ChooseLastHop(CircuitPurpose purpose)
    {
        if (purpose != CircuitPurpose.HostIntroduction)
        {
            return _network.StatusOf(RendezvousRelay);
        }

        var count = _network.Relays.Count - FirstIntroductionRelay;
        for (var tries = 0; tries < count; tries++)
        {
            var index = FirstIntroductionRelay + ((Interlocked.Increment(ref _nextIntroduction) - 1) % count);
            if (!_network.Relays[index].IsDown)
            {
                return _network.StatusOf(index);
            }
        }

        throw new CircuitBuildException(purpose, 0, "Every introduction relay of the fixture is down.");
    }
}
