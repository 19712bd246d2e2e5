using System.Security.Cryptography;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Tests.Handshakes;

public sealed class NtorV3HandshakeTests : IDisposable
{
    private readonly RelayId _relayId = TestKeys.RandomIdentity();
    private readonly CircuitHandshakeKey _onionKey = CircuitHandshakeKey.Generate();
    private readonly NtorV3Server _server;

    public NtorV3HandshakeTests()
    {
        _server = new NtorV3Server(NtorV3Labels.Hpc, _relayId, _onionKey);
    }

    public void Dispose() => _onionKey.Dispose();

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(11, 10)]
    [InlineData(NtorV3Server.MaxClientMessageLength, NtorV3Server.MaxServerMessageLength)]
    public void Hpc_round_trip_gives_both_sides_the_same_messages_and_key_stream(int clientLength, int serverLength)
    {
        var clientMessage = TestKeys.Random(clientLength);
        var serverMessage = TestKeys.Random(serverLength);
        var clientHandshake = new byte[NtorV3Client.GetClientHandshakeLength(clientLength)];
        Assert.True(NtorV3Client.TryStart(NtorV3Labels.Hpc, _relayId, _onionKey.Public, clientMessage, clientHandshake, out var client, out _));
        using var clientScope = client;

        Assert.True(_server.TryAccept(clientHandshake, out var request, out var error));
        Assert.Equal(NtorV3Error.None, error);
        {
            Assert.Equal(clientMessage, request.ClientMessage.ToArray());
            Assert.Equal(_onionKey.Public, request.OnionKey);
            var serverHandshake = new byte[NtorV3ServerRequest.GetServerHandshakeLength(serverLength)];
            using var serverKeys = request.Respond(serverMessage, serverHandshake);

            Assert.True(client.TryFinish(serverHandshake, out var clientKeys, out var received, out error));
            using (clientKeys)
            {
                Assert.Equal(NtorV3Error.None, error);
                Assert.Equal(serverMessage, received);
                Assert.Equal(TestKeys.ReadKeys(serverKeys, 1000), TestKeys.ReadKeys(clientKeys, 1000));
                Assert.Equal(TestKeys.ReadKeys(serverKeys, 7), TestKeys.ReadKeys(clientKeys, 7));
            }
        }
    }

    [Fact]
    public void Extensions_travel_in_both_directions()
    {
        var request = new NtorV3ExtensionList(new NtorV3Extension(1, []), new NtorV3Extension(3, [5, 6]));
        var reply = new NtorV3ExtensionList(new NtorV3Extension(2, [31]));
        var clientHandshake = new byte[NtorV3Client.GetClientHandshakeLength(request.EncodedLength)];
        Assert.True(NtorV3Client.TryStartWithExtensions(NtorV3Labels.Hpc, _relayId, _onionKey.Public, request, clientHandshake, out var client, out _));
        using var clientScope = client;

        Assert.True(_server.TryAccept(clientHandshake, out var accepted, out _));
        {
            Assert.True(accepted.TryGetClientExtensions(out var received, out var extensionError));
            Assert.Equal(NtorV3ExtensionError.None, extensionError);
            Assert.Equal(2, received.Count);
            Assert.True(received.TryGet(3, out var subprotocols));
            Assert.Equal([5, 6], subprotocols.Data.ToArray());

            var serverHandshake = new byte[NtorV3ServerRequest.GetServerHandshakeLength(reply.EncodedLength)];
            using var serverKeys = accepted.RespondWithExtensions(reply, serverHandshake);
            Assert.True(client.TryFinish(serverHandshake, out var clientKeys, out var serverMessage, out _));
            clientKeys.Dispose();
            Assert.True(NtorV3ExtensionList.TryParse(serverMessage, out var replied, out _));
            Assert.True(replied.TryGet(2, out var window));
            Assert.Equal([31], window.Data.ToArray());
        }
    }

    [Fact]
    public void Previous_onion_key_is_still_accepted()
    {
        using var previous = CircuitHandshakeKey.Generate();
        var server = new NtorV3Server(NtorV3Labels.Hpc, _relayId, _onionKey, previous);
        var clientHandshake = new byte[NtorV3Client.GetClientHandshakeLength(0)];
        Assert.True(NtorV3Client.TryStart(NtorV3Labels.Hpc, _relayId, previous.Public, [], clientHandshake, out var client, out _));
        using var clientScope = client;
        Assert.True(server.TryAccept(clientHandshake, out var request, out _));
        {
            Assert.Equal(previous.Public, request.OnionKey);
            var reply = new byte[64];
            using var keys = request.Respond(ReadOnlySpan<byte>.Empty, reply);
            Assert.True(client.TryFinish(reply, out var clientKeys, out _, out _));
            clientKeys.Dispose();
        }
    }

    [Theory]
    [InlineData(0)] // NODEID
    [InlineData(32)] // KEYID
    [InlineData(64)] // CLIENT_PK
    [InlineData(96)] // MSG
    [InlineData(96 + 20)] // MAC
    public void Flipped_bit_anywhere_in_the_client_handshake_is_rejected(int index)
    {
        var clientHandshake = ClientHandshake(20);
        for (var bit = 0; bit < 8; bit++)
        {
            var tampered = TestKeys.Flip(clientHandshake, index + 3, bit);
            Assert.False(_server.TryAccept(tampered, out var request, out var error));
            Assert.False(request.IsAccepted);
            var expected = index switch
            {
                0 => NtorV3Error.UnknownRelayIdentity,
                32 => NtorV3Error.UnknownOnionKey,
                _ => NtorV3Error.BadMessageMac,
            };
            Assert.Equal(expected, error);
        }
    }

    [Fact]
    public void Top_bit_of_X_which_X25519_ignores_is_still_covered_by_the_MAC()
    {
        var tampered = TestKeys.Flip(ClientHandshake(5), 64 + 31, 7);
        Assert.False(_server.TryAccept(tampered, out _, out var error));
        Assert.Equal(NtorV3Error.BadMessageMac, error);
    }

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void Low_order_X_is_a_typed_failure(string pointHex)
    {
        var tampered = ClientHandshake(5);
        Convert.FromHexString(pointHex).CopyTo(tampered, 64);
        Assert.False(_server.TryAccept(tampered, out var request, out var error));
        Assert.False(request.IsAccepted);
        Assert.Equal(NtorV3Error.LowOrderPoint, error);
    }

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void Low_order_Y_is_a_typed_failure(string pointHex)
    {
        var (client, reply) = HandshakeUpToReply(3, 3);
        using (client)
        {
            Convert.FromHexString(pointHex).CopyTo(reply, 0);
            Assert.False(client.TryFinish(reply, out var keys, out _, out var error));
            Assert.Null(keys);
            Assert.Equal(NtorV3Error.LowOrderPoint, error);
        }
    }

    public static TheoryData<string> LowOrderPoints() => TestKeys.LowOrderPoints();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(127)]
    public void Truncated_client_handshake_is_rejected(int length)
    {
        var clientHandshake = ClientHandshake(0);
        Assert.False(_server.TryAccept(clientHandshake.AsSpan(0, length), out _, out var error));
        Assert.Equal(NtorV3Error.Truncated, error);
    }

    [Fact]
    public void Client_handshake_cut_inside_its_message_fails_the_MAC()
    {
        var clientHandshake = ClientHandshake(30);
        Assert.False(_server.TryAccept(clientHandshake.AsSpan(0, clientHandshake.Length - 1), out _, out var error));
        Assert.Equal(NtorV3Error.BadMessageMac, error);
    }

    [Fact]
    public void Oversized_client_handshake_is_rejected_before_any_work()
    {
        var oversized = new byte[NtorV3Server.MaxClientHandshakeLength + 1];
        ClientHandshake(0).CopyTo(oversized, 0);
        Assert.False(_server.TryAccept(oversized, out _, out var error));
        Assert.Equal(NtorV3Error.Oversized, error);
    }

    [Fact]
    public void Client_refuses_to_send_a_message_that_does_not_fit_CREATE2()
    {
        var destination = new byte[1000];
        Assert.Throws<ArgumentException>(() =>
            NtorV3Client.TryStart(NtorV3Labels.Hpc, _relayId, _onionKey.Public, new byte[NtorV3Server.MaxClientMessageLength + 1], destination, out _, out _));
    }

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void Low_order_onion_key_in_a_descriptor_is_a_typed_failure(string pointHex)
    {
        var destination = new byte[NtorV3Client.GetClientHandshakeLength(0)];
        var badKey = new CircuitHandshakePublicKey(X25519PublicKey.FromBytes(Convert.FromHexString(pointHex)));
        Assert.False(NtorV3Client.TryStart(NtorV3Labels.Hpc, _relayId, badKey, [], destination, out var client, out var error));
        Assert.Null(client);
        Assert.Equal(NtorV3Error.LowOrderPoint, error);
    }

    [Fact]
    public void Client_addressing_another_onion_key_is_rejected()
    {
        using var other = CircuitHandshakeKey.Generate();
        var clientHandshake = new byte[NtorV3Client.GetClientHandshakeLength(4)];
        Assert.True(NtorV3Client.TryStart(NtorV3Labels.Hpc, _relayId, other.Public, [1, 2, 3, 4], clientHandshake, out var client, out _));
        using var clientScope = client;
        Assert.False(_server.TryAccept(clientHandshake, out _, out var error));
        Assert.Equal(NtorV3Error.UnknownOnionKey, error);
    }

    [Fact]
    public void Client_addressing_another_relay_is_rejected()
    {
        var clientHandshake = new byte[NtorV3Client.GetClientHandshakeLength(4)];
        Assert.True(NtorV3Client.TryStart(NtorV3Labels.Hpc, TestKeys.RandomIdentity(), _onionKey.Public, [1, 2, 3, 4], clientHandshake, out var client, out _));
        using var clientScope = client;
        Assert.False(_server.TryAccept(clientHandshake, out _, out var error));
        Assert.Equal(NtorV3Error.UnknownRelayIdentity, error);
    }

    [Fact]
    public void Different_labels_do_not_interoperate()
    {
        var clientHandshake = new byte[NtorV3Client.GetClientHandshakeLength(4)];
        Assert.True(NtorV3Client.TryStart(NtorV3Labels.Tor, _relayId, _onionKey.Public, [1, 2, 3, 4], clientHandshake, out var torClient, out _));
        using var torClientScope = torClient;
        Assert.False(_server.TryAccept(clientHandshake, out _, out var error));
        Assert.Equal(NtorV3Error.BadMessageMac, error);

        var otherVerification = new NtorV3Labels(NtorV3Labels.Hpc.ProtocolId, "another purpose"u8);
        Assert.True(NtorV3Client.TryStart(otherVerification, _relayId, _onionKey.Public, [1, 2, 3, 4], clientHandshake, out var verificationClient, out _));
        using var verificationClientScope = verificationClient;
        Assert.False(_server.TryAccept(clientHandshake, out _, out error));
        Assert.Equal(NtorV3Error.BadMessageMac, error);
    }

    [Theory]
    [InlineData(0)] // Y
    [InlineData(31)] // Y, top bit included below
    [InlineData(32)] // AUTH
    [InlineData(63)] // AUTH
    [InlineData(64)] // MSG
    public void Tampered_server_reply_fails_AUTH(int index)
    {
        for (var bit = 0; bit < 8; bit++)
        {
            var (client, reply) = HandshakeUpToReply(3, 10);
            using (client)
            {
                Assert.False(client.TryFinish(TestKeys.Flip(reply, index, bit), out var keys, out var message, out var error));
                Assert.Null(keys);
                Assert.Empty(message);
                Assert.Equal(NtorV3Error.BadAuth, error);
            }
        }
    }

    [Fact]
    public void Server_reply_with_a_byte_more_or_less_fails_AUTH()
    {
        var (client, reply) = HandshakeUpToReply(3, 10);
        using (client)
        {
            Assert.False(client.TryFinish(reply.AsSpan(0, reply.Length - 1), out _, out _, out var error));
            Assert.Equal(NtorV3Error.BadAuth, error);
        }

        (client, reply) = HandshakeUpToReply(3, 10);
        using (client)
        {
            Assert.False(client.TryFinish([.. reply, 0], out _, out _, out var error));
            Assert.Equal(NtorV3Error.BadAuth, error);
        }
    }

    [Theory]
    [InlineData(0, NtorV3Error.Truncated)]
    [InlineData(63, NtorV3Error.Truncated)]
    [InlineData(NtorV3Server.MaxServerHandshakeLength + 1, NtorV3Error.Oversized)]
    public void Server_reply_of_impossible_length_is_rejected(int length, NtorV3Error expected)
    {
        var (client, _) = HandshakeUpToReply(0, 0);
        using (client)
        {
            Assert.False(client.TryFinish(new byte[length], out _, out _, out var error));
            Assert.Equal(expected, error);
        }
    }

    [Fact]
    public void A_client_state_finishes_once()
    {
        var (client, reply) = HandshakeUpToReply(0, 0);
        using (client)
        {
            Assert.True(client.TryFinish(reply, out var keys, out _, out _));
            keys.Dispose();
            Assert.Throws<InvalidOperationException>(() => client.TryFinish(reply, out _, out _, out _));
        }
    }

    [Fact]
    public void A_request_is_answered_once()
    {
        Assert.True(_server.TryAccept(ClientHandshake(0), out var request, out _));
        {
            var reply = new byte[64];
            request.Respond(ReadOnlySpan<byte>.Empty, reply).Dispose();
            var threw = false;
            try
            {
                request.Respond(ReadOnlySpan<byte>.Empty, reply);
            }
            catch (InvalidOperationException)
            {
                threw = true;
            }

            Assert.True(threw);
        }
    }

    [Fact]
    public void A_rejected_request_wipes_the_client_message_and_cannot_be_answered()
    {
        var clientHandshake = new byte[NtorV3Client.GetClientHandshakeLength(16)];
        Assert.True(NtorV3Client.TryStart(NtorV3Labels.Hpc, _relayId, _onionKey.Public, Enumerable.Repeat((byte)7, 16).ToArray(), clientHandshake, out var client, out _));
        client.Dispose();
        Assert.True(_server.TryAccept(clientHandshake, out var request, out _));
        Assert.True(request.IsAccepted);
        request.Reject();
        Assert.False(request.IsAccepted);
        Assert.Equal(new byte[16], request.ClientMessage.ToArray());
        var threw = false;
        try
        {
            request.Respond(ReadOnlySpan<byte>.Empty, new byte[64]);
        }
        catch (InvalidOperationException)
        {
            threw = true;
        }

        Assert.True(threw);
    }

    [Fact]
    public void Random_client_handshakes_never_throw()
    {
        var random = new Random(332);
        for (var i = 0; i < 3000; i++)
        {
            var input = new byte[random.Next(0, 520)];
            random.NextBytes(input);
            if (input.Length >= 64 && random.Next(2) == 0)
            {
                // Address this relay, so that the input reaches the key agreement and MAC check.
                _relayId.Key.Bytes.CopyTo(input);
                _onionKey.PublicKey.Bytes.CopyTo(input.AsSpan(32));
            }

            Assert.False(_server.TryAccept(input, out var request, out var error));
            Assert.False(request.IsAccepted);
            Assert.NotEqual(NtorV3Error.None, error);
        }
    }

    [Fact]
    public void Key_stream_is_wiped_on_dispose()
    {
        var (client, reply) = HandshakeUpToReply(0, 0);
        using (client)
        {
            Assert.True(client.TryFinish(reply, out var keys, out _, out _));
            keys.Dispose();
            Assert.Throws<ObjectDisposedException>(() => keys.Read(new byte[1]));
        }
    }

    private byte[] ClientHandshake(int messageLength)
    {
        var clientHandshake = new byte[NtorV3Client.GetClientHandshakeLength(messageLength)];
        Assert.True(NtorV3Client.TryStart(
            NtorV3Labels.Hpc, _relayId, _onionKey.Public, RandomNumberGenerator.GetBytes(messageLength), clientHandshake, out var client, out _));
        using var clientScope = client;
        return clientHandshake;
    }

    private (NtorV3Client Client, byte[] Reply) HandshakeUpToReply(int clientLength, int serverLength)
    {
        var clientHandshake = new byte[NtorV3Client.GetClientHandshakeLength(clientLength)];
        Assert.True(NtorV3Client.TryStart(NtorV3Labels.Hpc, _relayId, _onionKey.Public, new byte[clientLength], clientHandshake, out var client, out _));
        Assert.True(_server.TryAccept(clientHandshake, out var request, out _));
        {
            var reply = new byte[NtorV3ServerRequest.GetServerHandshakeLength(serverLength)];
            request.Respond(new byte[serverLength], reply).Dispose();
            return (client, reply);
        }
    }
}
