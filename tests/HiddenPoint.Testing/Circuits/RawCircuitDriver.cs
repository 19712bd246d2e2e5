using System.Net;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Testing;

/// <summary>
/// A hostile client for tests of relays: it builds circuits by hand (CREATE2 with ntor v3 asking for CGO, EXTEND2
/// written out cell by cell) so that a test can do what the client API refuses to: leave a CREATE2 unanswered, send
/// EXTEND2 in a plain RELAY cell, to an address the consensus does not list, or twice at one hop, and send any relay
/// command with any bytes to any hop (<see cref="RawCircuit"/>). Circuits that should simply work are built with
/// <see cref="Originator"/> and <see cref="Network.Circuits.ClientCircuit"/>.
/// </summary>
internal sealed class RawCircuitDriver : IDisposable
{
    private readonly TestMeterFactory _meters = new();

    /// <summary>A driver with its own link runtime (default options).</summary>
    public RawCircuitDriver() => Runtime = TestLinks.Runtime(meters: _meters);

    /// <summary>The runtime its links run on.</summary>
    public LinkRuntime Runtime { get; }

    /// <summary>Starts an ntor v3 handshake with <paramref name="relay"/> that asks for CGO; returns the client's message.</summary>
    public static byte[] StartHandshake(RelayStatus relay, out NtorV3Client client)
    {
        ArgumentNullException.ThrowIfNull(relay);
        var handshake = new byte[NtorV3Client.GetClientHandshakeLength(CgoExtension.Request.EncodedLength)];
        if (!NtorV3Client.TryStartWithExtensions(NtorV3Labels.Hpc, relay.Id, relay.CircuitHandshakeKey, CgoExtension.Request, handshake, out var started, out var error))
        {
            throw new InvalidOperationException($"ntor v3 did not start: {error}.");
        }

        client = started;
        return handshake;
    }

    /// <summary>Finishes the handshake (the relay must have answered CGO); returns the hop's layer and its KH.</summary>
    public static CgoClientHop FinishHandshake(NtorV3Client client, ReadOnlySpan<byte> serverHandshake, out byte[] bindingKey)
    {
        ArgumentNullException.ThrowIfNull(client);
        using (client)
        {
            if (!client.TryFinish(serverHandshake, out var keyStream, out var serverMessage, out var error))
            {
                throw new InvalidOperationException($"ntor v3 did not finish: {error}.");
            }

            using (keyStream)
            {
                var cgo = CgoExtension.TryRead(serverMessage, out _);
                if (cgo != CgoExtensionError.None)
                {
                    throw new InvalidOperationException($"The relay did not answer CGO: {cgo}.");
                }

                var keyMaterial = new byte[CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128)];
                keyStream.Read(keyMaterial);
                bindingKey = new byte[CircuitKeySchedule.BindingKeyLength];
                keyStream.Read(bindingKey);
                return new CgoClientHop(keyMaterial);
            }
        }
    }

    /// <summary>Opens a client link to <paramref name="guard"/>, from <paramref name="from"/> when given (any 127/8 address).</summary>
    public Task<Link> ConnectAsync(RelayStatus guard, IPAddress? from = null) => TestLinks.ConnectToRelayAsync(Runtime, guard, from);

    /// <summary>Sends CREATE2 for <paramref name="guard"/> and returns the answer (CREATED2 or why not), leaving the handshake to the caller.</summary>
    public static async Task<(PendingCircuit Pending, CircuitCreateResponse Response, NtorV3Client Client)> SendCreateAsync(Link link, RelayStatus guard)
    {
        ArgumentNullException.ThrowIfNull(link);
        var handshake = StartHandshake(guard, out var client);
        if (!link.TryBeginCircuit(out var pending))
        {
            client.Dispose();
            throw new InvalidOperationException("The link has no circuit id to give.");
        }

        var create = link.Pool.Rent();
        new Create2Body(HandshakeType.NtorV3, handshake).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        if (!await link.SendAsync(create).ConfigureAwait(false))
        {
            client.Dispose();
            throw new InvalidOperationException("The link did not take the CREATE2.");
        }

        var response = await pending.Response.WaitAsync(TestTimeouts.Step).ConfigureAwait(false);
        return (pending, response, client);
    }

    /// <summary>Creates a one-hop circuit to <paramref name="guard"/> over <paramref name="link"/>.</summary>
    public static async Task<RawCircuit> CreateAsync(Link link, RelayStatus guard)
    {
        var (pending, response, client) = await SendCreateAsync(link, guard).ConfigureAwait(false);
        if (response.Failure != CircuitCloseReason.None)
        {
            client.Dispose();
            throw new InvalidOperationException($"The guard refused the circuit: {response.Failure} ({response.DestroyReason}).");
        }

        var decoded = Created2Body.TryDecode(response.Created2.Body, out var created, out var error);
        var handshakeData = decoded ? created!.HandshakeData.ToArray() : [];
        link.Pool.Return(response.Created2);
        if (!decoded)
        {
            client.Dispose();
            throw new InvalidOperationException($"CREATED2 did not decode: {error}.");
        }

        var hop = FinishHandshake(client, handshakeData, out var bindingKey);
        var crypto = new CgoClientCircuit();
        crypto.AddHop(hop);
        var circuit = new RawCircuit { Hops = 1, Id = pending.Id };
        circuit.BindingKeys.Add(bindingKey);
        circuit.Circuit = link.OpenClientCircuit(pending, crypto, circuit)
            ?? throw new InvalidOperationException("The link closed before the circuit opened.");
        return circuit;
    }

    /// <summary>
    /// Asks the last hop to extend to <paramref name="next"/> (at <paramref name="address"/>, by default its listed
    /// one), in RELAY_EARLY unless <paramref name="relayEarly"/> is false. True when EXTENDED2 came and the hop was
    /// added; false when the circuit closed instead.
    /// </summary>
    public static async Task<bool> ExtendAsync(RawCircuit circuit, RelayStatus next, IPEndPoint? address = null, bool relayEarly = true)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(next);
        var target = address ?? new IPEndPoint(next.Addresses[0].Address, next.Addresses[0].Port);
        var handshake = StartHandshake(next, out var client);
        var message = new Extend2Message(new LinkSpecifiers(next.Id, target, null), HandshakeType.NtorV3, handshake);
        var data = new byte[message.DataLength];
        var writer = new WireWriter(data);
        message.EncodeData(ref writer);
        var lastHop = circuit.Hops - 1;
        if (await circuit.SendAsync(lastHop, RelayCommand.Extend2, data, relayEarly: relayEarly).ConfigureAwait(false) != CircuitSendResult.Queued)
        {
            client.Dispose();
            return false;
        }

        var reply = await circuit.NextAsync().ConfigureAwait(false);
        if (reply is null)
        {
            client.Dispose();
            return false;
        }

        if (reply.Value.Hop != lastHop || reply.Value.Command != RelayCommand.Extended2)
        {
            client.Dispose();
            throw new InvalidOperationException($"Expected EXTENDED2 from hop {lastHop}, got {reply.Value.Command} from hop {reply.Value.Hop}.");
        }

        var reader = new WireReader(reply.Value.Data);
        if (!Extended2Message.TryDecode(ref reader, out var extended, out var error))
        {
            client.Dispose();
            throw new InvalidOperationException($"EXTENDED2 did not decode: {error}.");
        }

        var hop = FinishHandshake(client, extended.HandshakeData, out var bindingKey);
        circuit.BindingKeys.Add(bindingKey);
        if (!circuit.Circuit.AddHop(hop))
        {
            throw new InvalidOperationException("The circuit did not take the new hop.");
        }

        circuit.Hops++;
        return true;
    }

    /// <summary>A circuit through <paramref name="path"/> (guard first) over a new link to the guard; throws when a step fails.</summary>
    public async Task<(Link Link, RawCircuit Circuit)> BuildAsync(params RelayStatus[] path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var link = await ConnectAsync(path[0]).ConfigureAwait(false);
        var circuit = await CreateAsync(link, path[0]).ConfigureAwait(false);
        for (var i = 1; i < path.Length; i++)
        {
            if (!await ExtendAsync(circuit, path[i]).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"Extending to hop {i} failed.");
            }
        }

        return (link, circuit);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Runtime.Dispose();
        _meters.Dispose();
    }
}
