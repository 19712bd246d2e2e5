using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>
/// Hostile input from the network against whole relays with their real roles, each case refused in its own way, and
/// then the rule that covers all of them: no input from the network reaches a Warning-with-stack-trace path. A fault
/// logged with its exception is a bug the peer found; a refusal is a typed reason at Debug or Information.
/// </summary>
public sealed class HostileInputLogTests
{
    private static readonly StreamId s_stream = new(1);

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task EXTEND2_to_an_unspecified_or_IPv4_mapped_address_is_refused_cleanly(string address)
    {
        await using var network = await RelayNetwork.StartAsync(2, realRoles: true);
        using var client = new RawCircuitDriver();
        var (link, circuit) = await client.BuildAsync(network.StatusOf(0));

        // The identity is a listed relay's, so only the address can refuse it.
        await SendExtendAsync(circuit, Extend2To(network.StatusOf(1).Id, IPAddress.Parse(address), network.StatusOf(1).Addresses[0].Port));

        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Circuit.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(0, network[0].Engine.LinkCount(EngineLinkKind.RelayOut));
        AssertNoFaults(network);
        await AssertStillExtendsAsync(network);
        await link.DisposeAsync();
    }

    [Fact]
    public async Task No_hostile_input_reaches_a_warning_with_a_stack_trace()
    {
        // Relay 0 has a real per-address limiter (its clock stands still, so a flood stays refused).
        var limiterClock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        using var limiterMeters = new TestMeterFactory();
        var limiter = new AddressLimiter(
            Options.Create(new RelayLimitsOptions { CircuitCreationBurst = 20, CircuitCreationRate = 1, CircuitCreationMinConnections = 1 }),
            limiterClock,
            limiterMeters);
        // Every hostile case goes over the same few links; the per-link violation limit (FL-01, MalformedCellFloodTests)
        // would close them after ten, so it is lifted here.
        await using var network = await RelayNetwork.StartAsync(3, o => o.MaxCircuitViolationsPerLink = 1_000, admission: i => i == 1 ? limiter : null, realRoles: true);
        using var client = new RawCircuitDriver();
        var guard = network.StatusOf(0);
        var link = await client.ConnectAsync(guard);

        await GarbageBeforeAndInsteadOfTheHandshakeAsync(guard);
        await GarbageCellsAsync(link, guard);
        await BadExtend2Async(network, link, guard);
        await Create2FloodAsync(network, client);
        await ForgedDescriptorsAsync(link, guard);
        await BadIntroductionMessagesAsync(link, guard);
        await BadRendezvousMessagesAsync(link, guard);
        await BadDirectoryStreamsAsync(link, guard);

        // Every relay still builds circuits, and none logged a fault.
        await AssertStillExtendsAsync(network);
        AssertNoFaults(network);
        Assert.Equal(LinkCloseReason.None, link.CloseReason);
        await link.DisposeAsync();
    }

    private static async Task GarbageBeforeAndInsteadOfTheHandshakeAsync(RelayStatus guard)
    {
        foreach (var garbage in new[] { RandomNumberGenerator.GetBytes(4096), [0x01, 0x00, 0xFF, .. RandomNumberGenerator.GetBytes(255)], [0x09] })
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(guard.Addresses[0].Address, guard.Addresses[0].Port)).WaitAsync(TestTimeouts.Step);
            await socket.SendAsync(garbage);
            socket.Shutdown(SocketShutdown.Send);

            // The relay ends the connection (a refused handshake) rather than waiting for its timeout.
            var buffer = new byte[1024];
            while (await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TestTimeouts.Step) > 0)
            {
            }
        }
    }

    private static async Task GarbageCellsAsync(Link link, RelayStatus guard)
    {
        // A random RELAY cell on a circuit the relay opened; a RELAY cell for a circuit that does not exist; a
        // CREATE2 whose body is noise; an unknown relay command; DATA and END for streams nobody opened.
        var (pending, response, ntor) = await RawCircuitDriver.SendCreateAsync(link, guard);
        link.Pool.Return(response.Created2);
        ntor.Dispose();
        var garbage = link.Pool.Rent();
        Cell.WriteHeader(garbage.Span, pending.Id, CellCommand.Relay);
        RandomNumberGenerator.Fill(garbage.Body);
        Assert.True(await link.SendAsync(garbage));

        var stray = link.Pool.Rent();
        Cell.WriteHeader(stray.Span, new CircuitId(0x8000_7777), CellCommand.Relay);
        RandomNumberGenerator.Fill(stray.Body);
        Assert.True(await link.SendAsync(stray));

        Assert.True(link.TryBeginCircuit(out var noise));
        var create = link.Pool.Rent();
        Cell.WriteHeader(create.Span, noise.Id, CellCommand.Create2);
        RandomNumberGenerator.Fill(create.Body);
        Assert.True(await link.SendAsync(create));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, (await noise.Response.WaitAsync(TestTimeouts.Step)).Failure);

        foreach (var (command, data, stream, closes) in new (RelayCommand, byte[], StreamId, bool)[]
        {
            ((RelayCommand)200, [1, 2, 3], default, true),
            (RelayCommand.Data, [1, 2, 3], new StreamId(9), true),
            (RelayCommand.Sendme, RandomNumberGenerator.GetBytes(19), default, true),
            (RelayCommand.End, [], new StreamId(9), false),
        })
        {
            var circuit = await RawCircuitDriver.CreateAsync(link, guard);
            await circuit.SendAsync(0, command, data, stream);
            if (closes)
            {
                Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Circuit.Completion.WaitAsync(TestTimeouts.Step));
            }
            else
            {
                await ProbeAsync(circuit);
                await circuit.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
            }
        }
    }

    private static async Task BadExtend2Async(RelayNetwork network, Link link, RelayStatus guard)
    {
        var middle = network.StatusOf(1);
        using var strangerKeys = new TestRelayKeys();
        var listedPort = middle.Addresses[0].Port;
        List<byte[]> cases =
        [
            Extend2To(middle.Id, IPAddress.Any, listedPort),
            Extend2To(middle.Id, IPAddress.IPv6Any, listedPort),
            Extend2To(middle.Id, IPAddress.Parse("::ffff:127.0.0.1"), listedPort),
            Extend2To(middle.Id, IPAddress.Loopback, 1),                      // an address the consensus does not list
            Extend2To(strangerKeys.Id, IPAddress.Loopback, listedPort),       // an identity the consensus does not list
            Extend2To(guard.Id, guard.Addresses[0].Address, guard.Addresses[0].Port), // the relay itself
            RandomNumberGenerator.GetBytes(300),
            [0],
            [2, 0, 6, 127, 0, 0, 1, 0, 0, 3, 32, .. middle.Id.Key.Bytes, 0, 3, 0, 0], // port zero
        ];

        foreach (var data in cases)
        {
            var circuit = await RawCircuitDriver.CreateAsync(link, guard);
            await SendExtendAsync(circuit, data);
            Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Circuit.Completion.WaitAsync(TestTimeouts.Step));
        }

        // EXTEND2 in a plain RELAY cell, and a second EXTEND2 at the same hop.
        var plain = await RawCircuitDriver.CreateAsync(link, guard);
        Assert.False(await RawCircuitDriver.ExtendAsync(plain, middle, relayEarly: false));
        var twice = await RawCircuitDriver.CreateAsync(link, guard);
        Assert.True(await RawCircuitDriver.ExtendAsync(twice, middle));
        twice.Hops = 1;
        Assert.False(await RawCircuitDriver.ExtendAsync(twice, network.StatusOf(2)));
    }

    private static async Task Create2FloodAsync(RelayNetwork network, RawCircuitDriver client)
    {
        // Relay 1 limits circuit creation per address: a flood is refused with DESTROY, the link stays.
        var limited = network.StatusOf(1);
        var link = await client.ConnectAsync(limited, IPAddress.Parse("127.0.0.3"));
        var refused = 0;
        for (var i = 0; i < 60; i++)
        {
            var (pending, response, ntor) = await RawCircuitDriver.SendCreateAsync(link, limited);
            ntor.Dispose();
            if (response.Failure == CircuitCloseReason.None)
            {
                link.Pool.Return(response.Created2);
                await link.AbandonAsync(pending);
            }
            else
            {
                refused++;
            }
        }

        Assert.True(refused >= 40, $"{refused} refused");
        Assert.Equal(LinkCloseReason.None, link.CloseReason);
        await link.DisposeAsync();
    }

    private static async Task ForgedDescriptorsAsync(Link link, RelayStatus guard)
    {
        using var hiddenPoint = new TestHiddenPoint();
        var blinded = hiddenPoint.BlindedKey;
        var genuine = hiddenPoint.Descriptor(7);

        // One base64 letter of the signed body changed; the body under another blinded key; noise; a truncated copy.
        var forged = TestHiddenPoint.Forge(genuine);
        var uploads = new (byte[] Key, byte[] Body)[]
        {
            (blinded, forged),
            (RandomNumberGenerator.GetBytes(32), genuine),
            (blinded, RandomNumberGenerator.GetBytes(3000)),
            (blinded, genuine[..(genuine.Length / 2)]),
        };

        foreach (var (key, body) in uploads)
        {
            var circuit = await RawCircuitDriver.CreateAsync(link, guard);
            Assert.NotEqual(DirectoryStatus.Ok, await StoreAsync(circuit, key, body));
            await circuit.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
        }

        // An upload that stops half-way and ends its stream; one that sends more than it declared.
        var halfway = await RawCircuitDriver.CreateAsync(link, guard);
        await halfway.SendAsync(0, RelayCommand.DescriptorStore, new DescriptorStoreMessage(blinded, genuine.Length).EncodeData(), s_stream);
        await halfway.SendAsync(0, RelayCommand.Data, genuine.AsSpan(0, 100), s_stream);
        await halfway.SendAsync(0, RelayCommand.End, [(byte)EndReason.Done], s_stream);
        await ProbeAsync(halfway);
        await halfway.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
        var overlong = await RawCircuitDriver.CreateAsync(link, guard);
        await overlong.SendAsync(0, RelayCommand.DescriptorStore, new DescriptorStoreMessage(blinded, 10).EncodeData(), s_stream);
        await overlong.SendAsync(0, RelayCommand.Data, RandomNumberGenerator.GetBytes(400), s_stream);
        Assert.NotNull(await overlong.NextAsync());
        await overlong.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
    }

    private static async Task BadIntroductionMessagesAsync(Link link, RelayStatus guard)
    {
        // ESTABLISH_INTRO: noise, and a well-formed one whose MAC and signature are random.
        var noise = await RawCircuitDriver.CreateAsync(link, guard);
        await noise.SendAsync(0, RelayCommand.EstablishIntro, RandomNumberGenerator.GetBytes(200));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await noise.Circuit.Completion.WaitAsync(TestTimeouts.Step));

        var unsigned = await RawCircuitDriver.CreateAsync(link, guard);
        var establish = new EstablishIntroMessage(RandomNumberGenerator.GetBytes(32), null, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(64));
        await unsigned.SendAsync(0, RelayCommand.EstablishIntro, establish.EncodeData());
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await unsigned.Circuit.Completion.WaitAsync(TestTimeouts.Step));

        // INTRODUCE1: noise, and one for a service nobody registered. Both are answered, and the circuit is spent.
        foreach (var data in new[]
        {
            RandomNumberGenerator.GetBytes(300),
            new Introduce1Message(RandomNumberGenerator.GetBytes(32), null, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(200), RandomNumberGenerator.GetBytes(32)).EncodeData(),
        })
        {
            var circuit = await RawCircuitDriver.CreateAsync(link, guard);
            await circuit.SendAsync(0, RelayCommand.Introduce1, data);
            var ack = await circuit.NextAsync();
            Assert.Equal(RelayCommand.IntroduceAck, ack!.Value.Command);
            await circuit.SendAsync(0, RelayCommand.Introduce1, data);
            Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Circuit.Completion.WaitAsync(TestTimeouts.Step));
        }
    }

    private static async Task BadRendezvousMessagesAsync(Link link, RelayStatus guard)
    {
        var cookie = RandomNumberGenerator.GetBytes(20);
        var waiting = await RawCircuitDriver.CreateAsync(link, guard);
        await waiting.SendAsync(0, RelayCommand.EstablishRendezvous, cookie);
        Assert.Equal(RelayCommand.RendezvousEstablished, (await waiting.NextAsync())!.Value.Command);

        foreach (var (command, data) in new (RelayCommand, byte[])[]
        {
            (RelayCommand.EstablishRendezvous, RandomNumberGenerator.GetBytes(7)),
            (RelayCommand.EstablishRendezvous, cookie),
            (RelayCommand.Rendezvous1, RandomNumberGenerator.GetBytes(20 + 32 + 32)),
            (RelayCommand.Rendezvous1, RandomNumberGenerator.GetBytes(3)),
        })
        {
            var circuit = await RawCircuitDriver.CreateAsync(link, guard);
            await circuit.SendAsync(0, command, data);
            Assert.Equal(CircuitCloseReason.DestroyedByPeer, await circuit.Circuit.Completion.WaitAsync(TestTimeouts.Step));
        }

        // A waiting circuit that tries to extend, and one that sends RENDEZVOUS1 for its own cookie.
        await waiting.SendAsync(0, RelayCommand.Rendezvous1, [.. cookie, .. RandomNumberGenerator.GetBytes(64)]);
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await waiting.Circuit.Completion.WaitAsync(TestTimeouts.Step));
    }

    private static async Task BadDirectoryStreamsAsync(Link link, RelayStatus guard)
    {
        foreach (var (command, data) in new (RelayCommand, byte[])[]
        {
            (RelayCommand.DirectoryRequest, RandomNumberGenerator.GetBytes(100)),
            (RelayCommand.DirectoryRequest, []),
            (RelayCommand.DescriptorFetch, RandomNumberGenerator.GetBytes(5)),
            (RelayCommand.DescriptorStore, RandomNumberGenerator.GetBytes(5)),
            (RelayCommand.DescriptorStore, [.. RandomNumberGenerator.GetBytes(32), 0x7F, 0xFF, 0xFF, 0xFF]),
        })
        {
            // Answered (with a refusal, or END) or closed; either way the relay carries on.
            var circuit = await RawCircuitDriver.CreateAsync(link, guard);
            await circuit.SendAsync(0, command, data, s_stream);
            await circuit.NextAsync();
            await circuit.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
        }
    }

    /// <summary>A directory request on a stream of its own: its answer shows the cells sent before it were handled.</summary>
    private static async Task ProbeAsync(RawCircuit circuit)
    {
        Assert.Equal(CircuitSendResult.Queued, await circuit.SendAsync(0, RelayCommand.DirectoryRequest, RandomNumberGenerator.GetBytes(16), new StreamId(2)));
        Assert.NotNull(await circuit.NextAsync());
    }

    /// <summary>EXTEND2 data naming <paramref name="identity"/> at <paramref name="address"/>, encoded by hand: the
    /// encoder refuses addresses no relay can have, which is what a hostile client sends.</summary>
    private static byte[] Extend2To(RelayId identity, IPAddress address, int port)
    {
        var isV4 = address.AddressFamily == AddressFamily.InterNetwork;
        var handshake = RandomNumberGenerator.GetBytes(100);
        return
        [
            2,
            (byte)(isV4 ? LinkSpecifierType.IPv4 : LinkSpecifierType.IPv6), (byte)(isV4 ? 6 : 18), .. address.GetAddressBytes(), (byte)(port >> 8), (byte)port,
            (byte)LinkSpecifierType.Ed25519Id, 32, .. identity.Key.Bytes,
            0, (byte)HandshakeType.NtorV3, 0, (byte)handshake.Length, .. handshake,
        ];
    }

    private static async Task SendExtendAsync(RawCircuit circuit, byte[] data) =>
        Assert.Equal(CircuitSendResult.Queued, await circuit.SendAsync(circuit.Hops - 1, RelayCommand.Extend2, data, relayEarly: true));

    private static async Task<DirectoryStatus> StoreAsync(RawCircuit circuit, byte[] blindedKey, byte[] descriptor)
    {
        await circuit.SendAsync(0, RelayCommand.DescriptorStore, new DescriptorStoreMessage(blindedKey, descriptor.Length).EncodeData(), s_stream);
        var chunk = RelayCell.MaxDataLength(RelayCommand.Data);
        for (var offset = 0; offset < descriptor.Length; offset += chunk)
        {
            await circuit.SendAsync(0, RelayCommand.Data, descriptor.AsSpan(offset, Math.Min(chunk, descriptor.Length - offset)), s_stream);
        }

        var response = await circuit.NextAsync();
        Assert.NotNull(response);
        Assert.Equal(RelayCommand.DirectoryResponse, response.Value.Command);
        var reader = new WireReader(response.Value.Data);
        Assert.True(DirectoryResponseMessage.TryDecode(ref reader, out var message, out _));
        return message.Status;
    }

    /// <summary>A client still builds a circuit through every relay, with the client API.</summary>
    private static async Task AssertStillExtendsAsync(RelayNetwork network)
    {
        var path = network.Relays.Select((_, i) => network.StatusOf(i)).ToArray();
        await using var client = new Originator();
        await using var circuit = await client.BuildAsync(path).WaitAsync(TestTimeouts.Step);
        Assert.Equal(path.Length, circuit.HopCount);
    }

    private static void AssertNoFaults(RelayNetwork network)
    {
        foreach (var relay in network.Relays)
        {
            var faults = relay.Logs.WarningsWithExceptions;
            Assert.True(faults.Count == 0, $"relay {relay.Index} logged faults:{Environment.NewLine}{string.Join(Environment.NewLine, faults)}");
        }
    }
}
