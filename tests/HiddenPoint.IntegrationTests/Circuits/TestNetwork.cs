using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.HiddenPoints;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Options;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>
/// A role that answers every message it is given: a DIRECTORY_REQUEST gets a DIRECTORY_RESPONSE(NotFound) on the
/// same stream, sent back through the circuit; everything else is recorded and accepted.
/// </summary>
internal sealed class AnsweringRole : IRelayMessageRole
{
    private int _messages;
    private int _closed;

    public int Messages => Volatile.Read(ref _messages);

    public int Closed => Volatile.Read(ref _closed);

    public bool OnMessage(RelayCircuitContext circuit, RelayCellView cell)
    {
        Interlocked.Increment(ref _messages);
        if (cell.Command == RelayCommand.DirectoryRequest)
        {
            var reply = circuit.Circuit.Pool.Rent();
            RelayCell.Encode(reply.Body, RelayCommand.DirectoryResponse, cell.StreamId, [1, 0, 0, 0, 0], RandomPaddingSource.Instance);
            _ = circuit.Circuit.SendAsync(reply).AsTask();
        }

        return true;
    }

    public void OnCircuitClosed(RelayCircuitContext circuit) => Interlocked.Increment(ref _closed);
}

/// <summary>One relay of the test network: a real engine on 127.0.0.1, its keys, its consensus source.</summary>
internal sealed class TestRelay : IAsyncDisposable
{
    private bool _disposed;

    public TestRelay(int index, Action<RelayEngineOptions>? configure, IAddressAdmission? admission = null, bool realRoles = false)
    {
        Index = index;
        var options = new RelayEngineOptions();
        configure?.Invoke(options);
        if (!realRoles)
        {
            Engine = new RelayEngine(
                Keys, Consensus, admission ?? Admission, Role, Role, Role, Options.Create(options), TimeProvider.System, Logs, Meters);
            return;
        }

        // The relay's own introduction point, rendezvous point and directory streams over a real HSDir store.
        var roleOptions = Options.Create(new HiddenPointRoleOptions());
        HsDir = new HsDirStore(timeProvider: TimeProvider.System, logger: Logs.CreateLogger<HsDirStore>());
        Engine = new RelayEngine(
            Keys,
            Consensus,
            admission ?? Admission,
            new IntroductionPointRole(roleOptions, TimeProvider.System, Logs.CreateLogger<IntroductionPointRole>(), Meters),
            new RendezvousPointRole(roleOptions, TimeProvider.System, Logs.CreateLogger<RendezvousPointRole>(), Meters),
            new DirectoryStreamRole(HsDir, Consensus, roleOptions, TimeProvider.System, Logs.CreateLogger<DirectoryStreamRole>(), Meters),
            Options.Create(options),
            TimeProvider.System,
            Logs,
            Meters);
    }

    /// <summary>The HSDir store, when the relay runs its real hidden-point roles.</summary>
    public HsDirStore? HsDir { get; }

    public int Index { get; }

    public TestRelayKeys Keys { get; } = new();

    public TestConsensusSource Consensus { get; } = new();

    public PermitAllAdmission Admission { get; } = new();

    public AnsweringRole Role { get; } = new();

    public TestMeterFactory Meters { get; } = new();

    /// <summary>Everything the relay (engine, links, roles) logged from Debug up.</summary>
    public LogCapture Logs { get; } = new();

    public RelayEngine Engine { get; }

    public RelayStatus Status => new(
        Keys.Id,
        $"relay{Index}",
        [new RelayAddress(IPAddress.Loopback, (ushort)Engine.LocalEndPoint!.Port)],
        Keys.Current.LinkKey.Public,
        Keys.Current.CircuitHandshakeKey.Public,
        RelayFlags.Running | RelayFlags.Valid | RelayFlags.Fast | RelayFlags.Guard | RelayFlags.Stable,
        1000);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await Engine.DisposeAsync();
        Keys.Dispose();
        Meters.Dispose();
    }
}

/// <summary>A whole network in one process: relays on loopback and a consensus that lists them all.</summary>
internal sealed class TestNetwork : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private TestNetwork(List<TestRelay> relays, Consensus consensus)
    {
        Relays = relays;
        Consensus = consensus;
    }

    public IReadOnlyList<TestRelay> Relays { get; }

    public Consensus Consensus { get; }

    public TestRelay this[int index] => Relays[index];

    /// <summary>
    /// Starts <paramref name="relayCount"/> relays; <paramref name="admission"/> may give a relay a real admission
    /// control (by index) instead of one that admits everything. Each relay's logs are captured (<see cref="TestRelay.Logs"/>).
    /// </summary>
    public static async Task<TestNetwork> StartAsync(
        int relayCount,
        Action<RelayEngineOptions>? configure = null,
        Func<int, IAddressAdmission?>? admission = null,
        bool realRoles = false)
    {
        var relays = new List<TestRelay>();
        for (var i = 0; i < relayCount; i++)
        {
            var relay = new TestRelay(i, configure, admission?.Invoke(i), realRoles);
            relays.Add(relay);
            await relay.Engine.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        }

        var consensus = TestConsensus.Build(relays.Select(r => r.Status).ToList());
        foreach (var relay in relays)
        {
            relay.Consensus.Consensus = consensus;
        }

        return new TestNetwork(relays, consensus);
    }

    public RelayStatus StatusOf(int index)
    {
        Assert.True(Consensus.TryGetRelay(Relays[index].Keys.Id, out var status));
        return status;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in Relays)
        {
            await relay.DisposeAsync();
        }
    }
}

/// <summary>Waits for a condition that moves with background work, polling within a bounded time.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TestNetwork.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for: " + what);
            await Task.Delay(10);
        }
    }
}
