using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Threading.Channels;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.HiddenPoints;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Tests.HiddenPoints;

/// <summary>
/// A relay with real links over in-memory pipes and real circuits, whose circuit handler routes messages for this
/// relay to the hidden-point roles as the relay engine does. CREATE2 carries the CGO key material followed by the
/// binding key, standing in for ntor v3, so both ends hold the same keys.
/// </summary>
internal sealed class RoleHarness : IAsyncDisposable
{
    private readonly LinkRuntime _runtime;
    private readonly LinkKey _relayKey = LinkKey.Generate();
    private readonly List<Link> _links = [];
    private readonly Channel<RoutingHandler> _accepted = Channel.CreateUnbounded<RoutingHandler>();

    public RoleHarness(
        Action<HiddenPointRoleOptions>? configure = null,
        TimeProvider? time = null,
        IDescriptorStore? descriptors = null,
        Action<CircuitOptions>? circuit = null,
        HiddenPoint.Relay.Limits.MemoryQuota? memoryQuota = null)
    {
        var options = new HiddenPointRoleOptions();
        configure?.Invoke(options);
        var wrapped = Options.Create(options);
        var clock = time ?? TimeProvider.System;
        Meters = new TestMeterFactory();
        var circuitOptions = new CircuitOptions();
        circuit?.Invoke(circuitOptions);
        _runtime = new LinkRuntime(Options.Create(new LinkOptions()), Options.Create(circuitOptions), TimeProvider.System, Logs, Meters);
        Intro = new IntroductionPointRole(wrapped, clock, Logs.CreateLogger<IntroductionPointRole>(), Meters);
        Rendezvous = new RendezvousPointRole(wrapped, clock, Logs.CreateLogger<RendezvousPointRole>(), Meters);
        Descriptors = descriptors ?? new MemoryDescriptorStore();
        Directory = new DirectoryStreamRole(Descriptors, Consensus, wrapped, clock, Logs.CreateLogger<DirectoryStreamRole>(), Meters, memoryQuota);
    }

    public TestMeterFactory Meters { get; }

    /// <summary>Everything the roles and the links logged from Debug up.</summary>
    public LogCapture Logs { get; } = new();

    public IntroductionPointRole Intro { get; }

    public RendezvousPointRole Rendezvous { get; }

    public DirectoryStreamRole Directory { get; }

    public IDescriptorStore Descriptors { get; }

    public FixedConsensusSource Consensus { get; } = new();

    /// <summary>Opens a client link to the relay and a one-hop circuit over it.</summary>
    public async Task<RoleClient> OpenClientAsync() => await OpenClientAsync(await OpenLinkAsync());

    /// <summary>Opens a client link to the relay.</summary>
    public async Task<Link> OpenLinkAsync()
    {
        var (clientSide, relaySide, _, _) = TestLinks.PipePair();
        var accept = _runtime.AcceptAsync(relaySide, _relayKey, AcceptedLinkKinds.All, new AcceptingLinkHandler(this));
        var connect = _runtime.ConnectAsync(clientSide, LinkKind.ClientToRelay, _relayKey.Public, null, null);
        var client = (await connect.WaitAsync(TestTimeouts.Step)).Link!;
        var relay = (await accept.WaitAsync(TestTimeouts.Step)).Link!;
        lock (_links)
        {
            _links.Add(client);
            _links.Add(relay);
        }

        return client;
    }

    /// <summary>Opens a one-hop circuit to the relay over a client link of <see cref="OpenLinkAsync"/>.</summary>
    public async Task<RoleClient> OpenClientAsync(Link client)
    {
        var bindingKey = RandomNumberGenerator.GetBytes(CircuitKeySchedule.BindingKeyLength);
        var (pending, keyMaterial) = await KeyMaterialCircuits.CreateAsync(client, bindingKey);
        var crypto = new CgoClientCircuit();
        crypto.AddHop(new CgoClientHop(keyMaterial));
        var recorder = new ClientRecorder();
        var circuit = client.OpenClientCircuit(pending, crypto, recorder)!;
        var routing = await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);
        return new RoleClient(circuit, recorder, routing, bindingKey);
    }

    public async ValueTask DisposeAsync()
    {
        Link[] links;
        lock (_links)
        {
            links = [.. _links];
        }

        foreach (var link in links)
        {
            await link.DisposeAsync();
        }

        _relayKey.Dispose();
        Meters.Dispose();
    }

    private sealed class AcceptingLinkHandler(RoleHarness harness) : ILinkHandler
    {
        public void OnCreateRequest(Link link, CircuitId circuitId, CellBuffer create2)
        {
            Assert.True(Create2Body.TryDecode(create2.Body, out var body, out _));
            var keyLength = CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128);
            var hop = new CgoRelayHop(body.HandshakeData[..keyLength]);
            var routing = new RoutingHandler(harness, body.HandshakeData[keyLength..].ToArray());
            link.Pool.Return(create2);
            var created = link.Pool.Rent();
            new Created2Body([]).Encode(created.Body);
            var circuit = link.AcceptRelayCircuit(circuitId, hop, created, routing);
            if (circuit is not null)
            {
                routing.Attach(circuit);
                harness._accepted.Writer.TryWrite(routing);
            }
        }
    }

    /// <summary>The relay side of a circuit: routes messages for this relay to the roles, as the engine does.</summary>
    internal sealed class RoutingHandler(RoleHarness harness, byte[] bindingKey) : ICircuitHandler
    {
        private readonly TaskCompletionSource<RelayCircuitContext> _context = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly HashSet<IRelayMessageRole> _seen = [];

        public Task<RelayCircuitContext> Context => _context.Task;

        public TaskCompletionSource<CircuitCloseReason> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Messages for this relay that no role took (DROP and the like).</summary>
        public Channel<RelayCommand> Unrouted { get; } = Channel.CreateUnbounded<RelayCommand>();

        public void Attach(RelayCircuit circuit) => _context.TrySetResult(new RelayCircuitContext(circuit, bindingKey));

        public bool OnRelayMessage(CircuitReactor circuit, HopIndex hopIndex, CellCommand cellCommand, ReadOnlySpan<byte> body)
        {
            if (!RelayCell.TryParse(body, out var view, out _))
            {
                return false;
            }

            var context = ContextFor(circuit);
            IRelayMessageRole? role = null;
            if (RelayMessageRouting.IntroductionPoint.Contains(view.Command))
            {
                role = harness.Intro;
            }
            else if (RelayMessageRouting.RendezvousPoint.Contains(view.Command))
            {
                role = harness.Rendezvous;
            }
            else if (RelayMessageRouting.DirectoryStreams.Contains(view.Command))
            {
                role = harness.Directory;
            }

            if (role is null)
            {
                Unrouted.Writer.TryWrite(view.Command);
                return true;
            }

            _seen.Add(role);
            return role.OnMessage(context, view);
        }

        public void OnClosed(CircuitReactor circuit, CircuitCloseReason reason)
        {
            var context = ContextFor(circuit);
            foreach (var role in _seen)
            {
                role.OnCircuitClosed(context);
            }

            context.Clear();
            Closed.TrySetResult(reason);
        }

        private RelayCircuitContext ContextFor(CircuitReactor circuit)
        {
            // The first message can overtake the accept call's return: the context is made here then.
            _context.TrySetResult(new RelayCircuitContext((RelayCircuit)circuit, bindingKey));
            return _context.Task.Result;
        }
    }
}

/// <summary>A client's one-hop circuit to the relay, what it received, and the relay's side of it.</summary>
internal sealed class RoleClient(ClientCircuitReactor circuit, ClientRecorder recorder, RoleHarness.RoutingHandler relaySide, byte[] bindingKey)
{
    public ClientCircuitReactor Circuit { get; } = circuit;

    public ClientRecorder Received { get; } = recorder;

    public RoleHarness.RoutingHandler RelaySide { get; } = relaySide;

    /// <summary>KH, as the client derives it from the circuit handshake.</summary>
    public byte[] BindingKey { get; } = bindingKey;

    public async Task SendAsync(RelayMessage message, ushort stream = 0)
    {
        var cell = Circuit.Pool.Rent();
        RelayCell.Encode(cell.Body, message, stream == 0 ? default : new StreamId(stream), RandomPaddingSource.Instance);
        Assert.Equal(CircuitSendResult.Queued, await Circuit.SendAsync(HopIndex.First, cell));
    }

    public async Task SendRawAsync(RelayCommand command, ReadOnlyMemory<byte> data, ushort stream = 0)
    {
        var cell = Circuit.Pool.Rent();
        RelayCell.Encode(cell.Body, command, stream == 0 ? default : new StreamId(stream), data.Span, RandomPaddingSource.Instance);
        Assert.Equal(CircuitSendResult.Queued, await Circuit.SendAsync(HopIndex.First, cell));
    }

    public async Task<ReceivedMessage> ReceiveAsync() =>
        await Received.Messages.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Step);

    public async Task<CircuitCloseReason> ClosedAsync() => await Circuit.Completion.WaitAsync(TestTimeouts.Step);
}

internal readonly record struct ReceivedMessage(RelayCommand Command, ushort Stream, byte[] Data)
{
    public T Decode<T>()
        where T : RelayMessage
    {
        Assert.True(RelayMessage.TryDecode(Command, Data, out var message, out var error), error.ToString());
        return Assert.IsType<T>(message);
    }
}

/// <summary>Records what a client circuit receives.</summary>
internal sealed class ClientRecorder : ICircuitHandler
{
    public Channel<ReceivedMessage> Messages { get; } = Channel.CreateUnbounded<ReceivedMessage>();

    public bool OnRelayMessage(CircuitReactor circuit, HopIndex hopIndex, CellCommand cellCommand, ReadOnlySpan<byte> body)
    {
        if (!RelayCell.TryParse(body, out var view, out _))
        {
            return false;
        }

        Messages.Writer.TryWrite(new ReceivedMessage(view.Command, view.StreamId.Value, view.Data.ToArray()));
        return true;
    }

    public void OnClosed(CircuitReactor circuit, CircuitCloseReason reason) => Messages.Writer.TryComplete();
}

/// <summary>A consensus source that serves whatever document the test sets.</summary>
internal sealed class FixedConsensusSource : IConsensusSource
{
    public ReadOnlyMemory<byte> LatestDocument { get; set; }

    public bool TryGetUsable([NotNullWhen(true)] out Consensus? consensus, out ConsensusUnavailable reason)
    {
        consensus = null;
        reason = ConsensusUnavailable.NoneYet;
        return false;
    }
}

/// <summary>
/// A descriptor store for testing the streams on their own: it keeps what it is given, or answers a result the test
/// chooses. The HSDir's own checks are <see cref="HsDirStore"/>'s business and tested with it.
/// </summary>
internal sealed class MemoryDescriptorStore : IDescriptorStore
{
    private readonly Dictionary<string, byte[]> _stored = [];

    public HsDirStoreResult? Answer { get; set; }

    public int StoreCalls { get; private set; }

    public HsDirStoreResult Store(ReadOnlySpan<byte> blindedKey, ReadOnlySpan<byte> descriptor)
    {
        lock (_stored)
        {
            StoreCalls++;
            if (Answer is { } answer)
            {
                return answer;
            }

            _stored[Convert.ToHexString(blindedKey)] = descriptor.ToArray();
            return HsDirStoreResult.Stored;
        }
    }

    public bool TryFetch(ReadOnlySpan<byte> blindedKey, out ReadOnlyMemory<byte> descriptor)
    {
        lock (_stored)
        {
            var found = _stored.TryGetValue(Convert.ToHexString(blindedKey), out var bytes);
            descriptor = bytes;
            return found;
        }
    }
}
