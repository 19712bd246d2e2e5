using System.Diagnostics.CodeAnalysis;
using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.HiddenPoints;
using HiddenPoint.Relay.Keys;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Testing.Network;

/// <summary>
/// Relays in this process for hidden-point tests: real engines on loopback with the real introduction-point,
/// rendezvous-point and directory-stream roles, each HSDir store keeping only the blinded keys its ring assigns it, and
/// one consensus (signed by a test authority, parsed and verified) that lists every relay as Running, Valid, Fast,
/// Guard, Stable and HSDir. A relay can be killed mid-test.
/// </summary>
public sealed class HiddenPointTestNetwork : IAsyncDisposable
{
    private HiddenPointTestNetwork(IReadOnlyList<HiddenPointTestRelay> relays, Consensus consensus, AuthorityId authority)
    {
        Relays = relays;
        Consensus = consensus;
        Authority = authority;
        ConsensusSource = new SwappableConsensusSource { Value = consensus };
    }

    /// <summary>The relays.</summary>
    public IReadOnlyList<HiddenPointTestRelay> Relays { get; }

    /// <summary>The consensus every relay holds.</summary>
    public Consensus Consensus { get; }

    /// <summary>The test authority that signed <see cref="Consensus"/> (whose signed bytes are its <c>Document</c>): the
    /// identity a client pins to fetch it, e.g. from a <see cref="ConsensusHttpServer"/>.</summary>
    public AuthorityId Authority { get; }

    /// <summary>The same consensus for clients and hosts.</summary>
    public IConsensusSource ConsensusSource { get; }

    /// <summary>Starts <paramref name="relayCount"/> relays and gives them all the consensus listing them.</summary>
    public static async Task<HiddenPointTestNetwork> StartAsync(int relayCount)
    {
        var relays = new List<HiddenPointTestRelay>();
        for (var i = 0; i < relayCount; i++)
        {
            var relay = new HiddenPointTestRelay(i);
            relays.Add(relay);
            await relay.Engine.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None).ConfigureAwait(false);
        }

        var (consensus, authority) = BuildConsensus(relays.Select(r => r.Status).ToList());
        foreach (var relay in relays)
        {
            relay.ConsensusSource.Value = consensus;
        }

        return new HiddenPointTestNetwork(relays, consensus, authority);
    }

    /// <summary>The consensus entry of relay <paramref name="index"/>.</summary>
    public RelayStatus StatusOf(int index) =>
        Consensus.TryGetRelay(Relays[index].Keys.Id, out var status) ? status : throw new InvalidOperationException("The relay is not in the consensus.");

    /// <summary>A consensus like <see cref="Consensus"/> that does not list <paramref name="relay"/>: what a relay holds
    /// before the network's first consensus that names it.</summary>
    public Consensus ConsensusWithout(HiddenPointTestRelay relay) =>
        BuildConsensus([.. Relays.Where(r => r != relay).Select(r => r.Status)]).Consensus;

    /// <summary>The test relay with id <paramref name="id"/>.</summary>
    public HiddenPointTestRelay RelayWith(RelayId id) => Relays.First(r => r.Keys.Id == id);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var relay in Relays)
        {
            await relay.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static (Consensus Consensus, AuthorityId Authority) BuildConsensus(IReadOnlyList<RelayStatus> relays)
    {
        var (consensus, _, authority) = SyntheticConsensus.Build(relays);
        return (consensus, authority);
    }
}

/// <summary>One relay of <see cref="HiddenPointTestNetwork"/>.</summary>
public sealed class HiddenPointTestRelay : IAsyncDisposable
{
    private int _disposed;

    internal HiddenPointTestRelay(int index)
    {
        Index = index;
        var roleOptions = Options.Create(new HiddenPointRoleOptions());
        HsDir = new HsDirStore(
            timeProvider: TimeProvider.System, logger: Logs.CreateLogger<HsDirStore>(), assignment: new HsDirAssignment(ConsensusSource, Keys));
        Engine = new RelayEngine(
            Keys,
            ConsensusSource,
            new PermitAllAdmission(),
            new IntroductionPointRole(roleOptions, TimeProvider.System, Logs.CreateLogger<IntroductionPointRole>(), Meters),
            new RendezvousPointRole(roleOptions, TimeProvider.System, Logs.CreateLogger<RendezvousPointRole>(), Meters),
            new DirectoryStreamRole(HsDir, ConsensusSource, roleOptions, TimeProvider.System, Logs.CreateLogger<DirectoryStreamRole>(), Meters),
            Options.Create(new RelayEngineOptions()),
            TimeProvider.System,
            Logs,
            Meters);
    }

    /// <summary>Its place in the network's list.</summary>
    public int Index { get; }

    /// <summary>Its keys.</summary>
    public TestRelayKeys Keys { get; } = new();

    /// <summary>The engine.</summary>
    public RelayEngine Engine { get; }

    /// <summary>Its HSDir store.</summary>
    public HsDirStore HsDir { get; }

    /// <summary>Everything it logged from Debug up.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>Whether it was killed (or the network disposed).</summary>
    public bool IsDown => Volatile.Read(ref _disposed) != 0;

    internal SwappableConsensusSource ConsensusSource { get; } = new();

    /// <summary>Gives this relay alone <paramref name="consensus"/>: a relay behind or ahead of the network.</summary>
    public void Hold(Consensus consensus) => ConsensusSource.Value = consensus;

    internal TestMeterFactory Meters { get; } = new();

    internal RelayStatus Status => new(
        Keys.Id,
        $"hsrelay{Index}",
        [new RelayAddress(IPAddress.Loopback, (ushort)Engine.LocalEndPoint!.Port)],
        Keys.Current.LinkKey.Public,
        Keys.Current.CircuitHandshakeKey.Public,
        RelayFlags.Running | RelayFlags.Valid | RelayFlags.Fast | RelayFlags.Guard | RelayFlags.Stable | RelayFlags.HSDir,
        1000);

    /// <summary>Stops the relay: its listener and every link and circuit through it go.</summary>
    public ValueTask KillAsync() => DisposeAsync();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Engine.DisposeAsync().ConfigureAwait(false);
        Keys.Dispose();
        Meters.Dispose();
    }
}
