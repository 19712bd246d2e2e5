using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;
using HiddenPoint.Relay.Circuits;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>A client circuit and what arrived on it: relay messages by hop, and its close.</summary>
internal sealed class TestCircuit : ICircuitHandler
{
    public ClientCircuitReactor Circuit { get; set; } = null!;

    /// <summary>Hops joined so far (kept here: the circuit's own count moves on its reactor).</summary>
    public int Hops { get; set; }

    public List<byte[]> BindingKeys { get; } = [];

    public Channel<(int Hop, RelayCommand Command, byte[] Data)> Messages { get; } =
        Channel.CreateUnbounded<(int, RelayCommand, byte[])>();

    public bool OnRelayMessage(CircuitReactor circuit, HopIndex hopIndex, CellCommand cellCommand, ReadOnlySpan<byte> body)
    {
        if (!RelayCell.TryParse(body, out var view, out _))
        {
            return false;
        }

        Messages.Writer.TryWrite((hopIndex.Value, view.Command, view.Data.ToArray()));
        return true;
    }

    public void OnClosed(CircuitReactor circuit, CircuitCloseReason reason) => Messages.Writer.TryComplete();

    /// <summary>The next message, or null when the circuit closed first.</summary>
    public async Task<(int Hop, RelayCommand Command, byte[] Data)?> NextAsync()
    {
        try
        {
            return await Messages.Reader.ReadAsync().AsTask().WaitAsync(TestNetwork.Timeout);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public Task<CircuitSendResult> SendAsync(int hop, RelayCommand command, ReadOnlySpan<byte> data, StreamId stream = default, bool relayEarly = false)
    {
        var cell = Circuit.Pool.Rent();
        RelayCell.Encode(cell.Body, command, stream, data, RandomPaddingSource.Instance);
        return Circuit.SendAsync(new HopIndex((byte)hop), cell, relayEarly).AsTask();
    }
}

/// <summary>
/// A client as HiddenPoint's will be: opens a client link (Noise NK) to a guard, creates a circuit with ntor v3 and
/// CGO, and extends it hop by hop with EXTEND2 in RELAY_EARLY.
/// </summary>
internal sealed class TestClient : IDisposable
{
    private readonly TestMeterFactory _meters = new();

    public TestClient() => Runtime = new LinkRuntime(
        Options.Create(new LinkOptions()), Options.Create(new CircuitOptions()), TimeProvider.System, NullLoggerFactory.Instance, _meters);

    public LinkRuntime Runtime { get; }

    /// <summary>Starts an ntor v3 handshake with <paramref name="relay"/> that asks for CGO.</summary>
    public static byte[] StartHandshake(RelayStatus relay, out NtorV3Client client)
    {
        var handshake = new byte[NtorV3Client.GetClientHandshakeLength(CgoExtension.Request.EncodedLength)];
        Assert.True(NtorV3Client.TryStartWithExtensions(NtorV3Labels.Hpc, relay.Id, relay.CircuitHandshakeKey, CgoExtension.Request, handshake, out var started, out var error), error.ToString());
        client = started;
        return handshake;
    }

    /// <summary>Finishes the handshake: the relay must have answered CGO; returns the hop's layer and KH.</summary>
    public static CgoClientHop FinishHandshake(NtorV3Client client, ReadOnlySpan<byte> serverHandshake, out byte[] bindingKey)
    {
        using (client)
        {
            Assert.True(client.TryFinish(serverHandshake, out var keyStream, out var serverMessage, out var error), error.ToString());
            using (keyStream)
            {
                Assert.Equal(CgoExtensionError.None, CgoExtension.TryRead(serverMessage, out _));
                var keyMaterial = new byte[CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128)];
                keyStream.Read(keyMaterial);
                bindingKey = new byte[CircuitKeySchedule.BindingKeyLength];
                keyStream.Read(bindingKey);
                return new CgoClientHop(keyMaterial);
            }
        }
    }

    /// <summary>Opens a client link to <paramref name="guard"/>, from <paramref name="from"/> when given (any 127/8 address).</summary>
    public async Task<Link> ConnectAsync(RelayStatus guard, IPAddress? from = null)
    {
        var address = guard.Addresses[0];
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        await socket.ConnectAsync(new IPEndPoint(address.Address, address.Port)).WaitAsync(TestNetwork.Timeout);
        var result = await Runtime.ConnectAsync(LinkTransport.FromSocket(socket), LinkKind.ClientToRelay, guard.LinkKey, null).WaitAsync(TestNetwork.Timeout);
        Assert.Equal(LinkCloseReason.None, result.Failure);
        return result.Link!;
    }

    /// <summary>Sends CREATE2 for <paramref name="guard"/> and returns the answer (CREATED2 or why not).</summary>
    public static async Task<(PendingCircuit Pending, CircuitCreateResponse Response, NtorV3Client Client)> SendCreateAsync(Link link, RelayStatus guard)
    {
        var handshake = StartHandshake(guard, out var client);
        Assert.True(link.TryBeginCircuit(out var pending));
        var create = link.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, handshake).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        Assert.True(await link.SendAsync(create));
        var response = await pending.Response.WaitAsync(TestNetwork.Timeout);
        return (pending, response, client);
    }

    /// <summary>Creates a one-hop circuit to <paramref name="guard"/> over <paramref name="link"/>.</summary>
    public static async Task<TestCircuit> CreateAsync(Link link, RelayStatus guard)
    {
        var (pending, response, client) = await SendCreateAsync(link, guard);
        Assert.Equal(CircuitCloseReason.None, response.Failure);
        Assert.True(Created2Body.TryDecode(response.Created2.Body, out var created, out _));
        link.Pool.Return(response.Created2);
        var hop = FinishHandshake(client, created.HandshakeData, out var bindingKey);
        var crypto = new CgoClientCircuit();
        crypto.AddHop(hop);
        var circuit = new TestCircuit { Hops = 1 };
        circuit.BindingKeys.Add(bindingKey);
        circuit.Circuit = link.OpenClientCircuit(pending, crypto, circuit)!;
        Assert.NotNull(circuit.Circuit);
        return circuit;
    }

    /// <summary>
    /// Asks the last hop to extend to <paramref name="next"/> (at <paramref name="address"/>, by default its listed
    /// one). True when EXTENDED2 came and the hop was added; false when the circuit closed instead.
    /// </summary>
    public static async Task<bool> ExtendAsync(TestCircuit circuit, RelayStatus next, IPEndPoint? address = null, bool relayEarly = true)
    {
        var target = address ?? new IPEndPoint(next.Addresses[0].Address, next.Addresses[0].Port);
        var handshake = StartHandshake(next, out var client);
        var message = new Extend2Message(new LinkSpecifiers(next.Id, target, null), HandshakeType.NtorV3, handshake);
        var data = new byte[message.DataLength];
        var writer = new WireWriter(data);
        message.EncodeData(ref writer);
        var lastHop = circuit.Hops - 1;
        if (await circuit.SendAsync(lastHop, RelayCommand.Extend2, data, relayEarly: relayEarly) != CircuitSendResult.Queued)
        {
            client.Dispose();
            return false;
        }

        var reply = await circuit.NextAsync();
        if (reply is null)
        {
            client.Dispose();
            return false;
        }

        Assert.Equal(lastHop, reply.Value.Hop);
        Assert.Equal(RelayCommand.Extended2, reply.Value.Command);
        var reader = new WireReader(reply.Value.Data);
        Assert.True(Extended2Message.TryDecode(ref reader, out var extended, out _));
        var hop = FinishHandshake(client, extended.HandshakeData, out var bindingKey);
        circuit.BindingKeys.Add(bindingKey);
        Assert.True(circuit.Circuit.AddHop(hop));
        circuit.Hops++;
        return true;
    }

    /// <summary>A circuit through <paramref name="path"/> (guard first) over a new link to the guard.</summary>
    public async Task<(Link Link, TestCircuit Circuit)> BuildAsync(params RelayStatus[] path)
    {
        var link = await ConnectAsync(path[0]);
        var circuit = await CreateAsync(link, path[0]);
        for (var i = 1; i < path.Length; i++)
        {
            Assert.True(await ExtendAsync(circuit, path[i]), $"extending to hop {i}");
        }

        return (link, circuit);
    }

    public void Dispose()
    {
        Runtime.Dispose();
        _meters.Dispose();
    }
}
