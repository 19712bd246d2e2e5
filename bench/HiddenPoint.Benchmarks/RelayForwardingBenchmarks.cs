using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.Keys;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// RELAY cells forwarded by a real relay engine between two loopback links with CGO applied: a client circuit
/// through relay A (the relay measured: it peels its layer, finds the cell is not its own, and forwards it on its
/// relay link) to relay B, which recognises each cell. The cells are full DATA cells, so the circuit's window (1,000
/// cells, a SENDME from B every 100) bounds what is in flight, as on the network. Everything runs in this process on one core, so one operation
/// also pays for the client's two CGO layers, both links' sealing and opening, and B's recognition: the figure is a
/// lower bound for A alone. One operation is one cell.
/// </summary>
[MemoryDiagnoser]
public class RelayForwardingBenchmarks
{
    /// <summary>Cells per benchmark invocation.</summary>
    public const int CellsPerInvoke = 10_000;

    private readonly CountingRole _exitRole = new();
    private RelayBench.Node _relayA = null!;
    private RelayBench.Node _relayB = null!;
    private LinkRuntime _clientRuntime = null!;
    private Link _clientLink = null!;
    private RelayBench.Circuit _circuit = null!;
    private readonly byte[] _payload = new byte[RelayCell.MaxDataWithStream];

    [GlobalSetup]
    public void Setup()
    {
        _relayA = RelayBench.Node.Start("a", new CountingRole());
        _relayB = RelayBench.Node.Start("b", _exitRole);
        RelayBench.Publish(_relayA, _relayB);
        _clientRuntime = RelayBench.ClientRuntime();
        _clientLink = RelayBench.ConnectClientAsync(_clientRuntime, _relayA.Status).GetAwaiter().GetResult();
        _circuit = RelayBench.CreateAsync(_clientLink, _relayA.Status).GetAwaiter().GetResult();
        RelayBench.ExtendAsync(_circuit, _relayB.Status).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _clientLink.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _relayA.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _relayB.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _clientRuntime.Dispose();
    }

    /// <summary>Sends <see cref="CellsPerInvoke"/> cells to hop 2 and waits until relay B has recognised them all.</summary>
    [Benchmark(OperationsPerInvoke = CellsPerInvoke)]
    public async Task ForwardThroughOneRelay()
    {
        var arrived = _exitRole.Expect(CellsPerInvoke);
        var circuit = _circuit.Client;
        var pool = circuit.Pool;
        for (var i = 0; i < CellsPerInvoke; i++)
        {
            var cell = pool.Rent();
            RelayCell.Encode(cell.Body, RelayCommand.Data, new StreamId(1), _payload, RandomPaddingSource.Instance);
            if (await circuit.SendAsync(1, cell).ConfigureAwait(false) != CircuitSendResult.Queued)
            {
                throw new InvalidOperationException("the circuit closed");
            }
        }

        await arrived.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    /// <summary>Counts the messages a relay's roles are given; answers nothing.</summary>
    internal sealed class CountingRole : IRelayMessageRole
    {
        private long _count;
        private long _target = long.MaxValue;
        private TaskCompletionSource _done = new();

        public Task Expect(int messages)
        {
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _target, Volatile.Read(ref _count) + messages);
            return _done.Task;
        }

        public bool OnMessage(RelayCircuitContext circuit, RelayCellView cell)
        {
            if (Interlocked.Increment(ref _count) >= Volatile.Read(ref _target))
            {
                _done.TrySetResult();
            }

            return true;
        }

        public void OnCircuitClosed(RelayCircuitContext circuit) => _done.TrySetResult();
    }
}

/// <summary>Real relay engines on loopback, a signed consensus that lists them, and a minimal CGO client.</summary>
internal static class RelayBench
{
    public static RelayEngineOptions Options()
    {
        var options = new RelayEngineOptions();
        // The default per-link rate (200,000 cells/s) is a defence, not a figure to measure against.
        options.Link.MaxCellsPerSecond = 10_000_000;
        options.Link.CellBurst = 10_000_000;
        return options;
    }

    public static LinkRuntime ClientRuntime()
    {
        // Many ids are given up in the CREATE2 benchmark: let them go soon, and have room for them meanwhile.
        var link = new LinkOptions
        {
            MaxCellsPerSecond = 10_000_000,
            CellBurst = 10_000_000,
            DestroyedCircuitLinger = TimeSpan.FromSeconds(1),
            MaxCircuitsPerLink = 1_000_000,
        };
        return new LinkRuntime(Microsoft.Extensions.Options.Options.Create(link), Microsoft.Extensions.Options.Options.Create(new CircuitOptions()), TimeProvider.System, NullLoggerFactory.Instance, new Meters());
    }

    public static void Publish(params Node[] nodes)
    {
        using var authority = AuthorityIdentityKey.Generate();
        var now = DateTimeOffset.UtcNow;
        var validAfter = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var builder = new NetworkStatusBuilder
        {
            ValidAfter = validAfter,
            FreshUntil = validAfter.AddHours(1),
            ValidUntil = validAfter.AddHours(3),
            SharedRandomPreviousValue = new byte[32],
            SharedRandomCurrentValue = new byte[32],
            Authorities = [new AuthorityEntry(authority.Id, "auth0", new RelayAddress(IPAddress.Loopback, 7000))],
            Relays = nodes.Select(n => n.Status).OrderBy(r => Convert.ToHexString(r.Id.Key.Bytes), StringComparer.Ordinal).ToArray(),
        };
        var body = builder.BuildBody(NetworkStatusKind.Consensus);
        var document = NetworkStatusBuilder.Assemble(body, [NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, authority)]);
        if (!NetworkStatusParser.TryParseConsensus(document, out var unverified, out _))
        {
            throw new InvalidOperationException("consensus does not parse");
        }

        var consensus = unverified.VerifySignatures([authority.Id]).Value!.CheckValidAt(TimeProvider.System, null).Value
            ?? throw new InvalidOperationException("consensus not usable");
        foreach (var node in nodes)
        {
            node.Source.Consensus = consensus;
        }
    }

    public static async Task<Link> ConnectClientAsync(LinkRuntime runtime, RelayStatus guard)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(guard.Addresses[0].Address, guard.Addresses[0].Port)).ConfigureAwait(false);
        var result = await runtime.ConnectAsync(LinkTransport.FromSocket(socket), LinkKind.ClientToRelay, guard.LinkKey, null).ConfigureAwait(false);
        return result.Link ?? throw new InvalidOperationException("link failed: " + result.Failure);
    }

    public static byte[] StartHandshake(RelayStatus relay, out NtorV3Client client)
    {
        var handshake = new byte[NtorV3Client.GetClientHandshakeLength(CgoExtension.Request.EncodedLength)];
        if (!NtorV3Client.TryStartWithExtensions(NtorV3Labels.Hpc, relay.Id, relay.CircuitHandshakeKey, CgoExtension.Request, handshake, out var started, out var error))
        {
            throw new InvalidOperationException(error.ToString());
        }

        client = started;
        return handshake;
    }

    public static CgoClientHop Finish(NtorV3Client client, ReadOnlySpan<byte> serverHandshake)
    {
        using (client)
        {
            if (!client.TryFinish(serverHandshake, out var keyStream, out _, out var error))
            {
                throw new InvalidOperationException(error.ToString());
            }

            using (keyStream)
            {
                var keyMaterial = new byte[CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128)];
                keyStream.Read(keyMaterial);
                return new CgoClientHop(keyMaterial);
            }
        }
    }

    public static async Task<Circuit> CreateAsync(Link link, RelayStatus guard)
    {
        var handshake = StartHandshake(guard, out var client);
        if (!link.TryBeginCircuit(out var pending))
        {
            throw new InvalidOperationException("no circuit id");
        }

        var create = link.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, handshake).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        await link.SendAsync(create).ConfigureAwait(false);
        var response = await pending.Response.ConfigureAwait(false);
        if (!Created2Body.TryDecode(response.Created2.Body, out var created, out _))
        {
            throw new InvalidOperationException("no CREATED2: " + response.Failure);
        }

        link.Pool.Return(response.Created2);
        var crypto = new CgoClientCircuit();
        crypto.AddHop(Finish(client, created.HandshakeData));
        var circuit = new Circuit();
        circuit.Client = link.OpenClientCircuit(pending, crypto, circuit) ?? throw new InvalidOperationException("circuit not opened");
        return circuit;
    }

    public static async Task ExtendAsync(Circuit circuit, RelayStatus next)
    {
        var handshake = StartHandshake(next, out var client);
        var address = next.Addresses[0];
        var message = new Extend2Message(new LinkSpecifiers(next.Id, new IPEndPoint(address.Address, address.Port), null), HandshakeType.NtorV3, handshake);
        var data = new byte[message.DataLength];
        var writer = new WireWriter(data);
        message.EncodeData(ref writer);
        var extended = circuit.ExpectExtended();
        var cell = circuit.Client.Pool.Rent();
        RelayCell.Encode(cell.Body, RelayCommand.Extend2, default, data, RandomPaddingSource.Instance);
        await circuit.Client.SendAsync(0, cell, relayEarly: true).ConfigureAwait(false);
        var reply = await extended.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var reader = new WireReader(reply);
        if (!Extended2Message.TryDecode(ref reader, out var message2, out _))
        {
            throw new InvalidOperationException("bad EXTENDED2");
        }

        circuit.Client.AddHop(Finish(client, message2.HandshakeData));
    }

    /// <summary>A client circuit whose handler hands over EXTENDED2 and drops the rest.</summary>
    internal sealed class Circuit : ICircuitHandler
    {
        private TaskCompletionSource<byte[]> _extended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ClientCircuit Client { get; set; } = null!;

        public Task<byte[]> ExpectExtended()
        {
            _extended = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _extended.Task;
        }

        public bool OnRelayMessage(CircuitReactor circuit, int hopIndex, CellCommand cellCommand, ReadOnlySpan<byte> body)
        {
            if (RelayCell.TryParse(body, out var view, out _) && view.Command == RelayCommand.Extended2)
            {
                _extended.TrySetResult(view.Data.ToArray());
            }

            return true;
        }

        public void OnClosed(CircuitReactor circuit, CircuitCloseReason reason) =>
            _extended.TrySetException(new InvalidOperationException("circuit closed: " + reason));
    }

    /// <summary>One relay: a real engine listening on 127.0.0.1.</summary>
    internal sealed class Node : IAsyncDisposable
    {
        private Node(string nickname, IRelayMessageRole role)
        {
            Nickname = nickname;
            Keys = new Keys();
            Engine = new RelayEngine(Keys, Source, new Admission(), role, role, role, Microsoft.Extensions.Options.Options.Create(RelayBench.Options()),
                TimeProvider.System, NullLoggerFactory.Instance, new Meters());
        }

        public string Nickname { get; }

        public Keys Keys { get; }

        public ConsensusSource Source { get; } = new();

        public RelayEngine Engine { get; }

        public RelayStatus Status => new(Keys.Id, Nickname, [new RelayAddress(IPAddress.Loopback, (ushort)Engine.LocalEndPoint!.Port)],
            Keys.Current.LinkKey.Public, Keys.Current.CircuitHandshakeKey.Public, RelayFlags.Running | RelayFlags.Valid | RelayFlags.Fast, 1000);

        public static Node Start(string nickname, IRelayMessageRole role)
        {
            var node = new Node(nickname, role);
            node.Engine.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None).GetAwaiter().GetResult();
            return node;
        }

        public async ValueTask DisposeAsync()
        {
            await Engine.DisposeAsync().ConfigureAwait(false);
            Keys.Dispose();
        }
    }

    internal sealed class Keys : IRelayKeys, IDisposable
    {
        private readonly RelayIdentityKey _identity = RelayIdentityKey.Generate();

        public Keys() => Current = new RelayKeySet(LinkKey.Generate(), null, CircuitHandshakeKey.Generate(), null);

        public RelayId Id => _identity.Id;

        public RelayKeySet Current { get; }

        public void Dispose() => _identity.Dispose();
    }

    internal sealed class ConsensusSource : IConsensusSource
    {
        public Consensus? Consensus { get; set; }

        public ReadOnlyMemory<byte> LatestDocument => Consensus?.Document ?? ReadOnlyMemory<byte>.Empty;

        public bool TryGetUsable([NotNullWhen(true)] out Consensus? consensus, out ConsensusUnavailable reason)
        {
            consensus = Consensus;
            reason = consensus is null ? ConsensusUnavailable.NoneYet : ConsensusUnavailable.None;
            return consensus is not null;
        }
    }

    internal sealed class Admission : IAddressAdmission
    {
        public AdmissionRefusal TryAdmitConnection(IPAddress address, out IDisposable? lease)
        {
            lease = null;
            return AdmissionRefusal.None;
        }

        public AdmissionRefusal TryAdmitCircuit(IPAddress address) => AdmissionRefusal.None;
    }

    internal sealed class Meters : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            lock (_meters)
            {
                _meters.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            lock (_meters)
            {
                _meters.ForEach(m => m.Dispose());
            }
        }
    }
}
