using System.Text;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Noise;

namespace HiddenPoint.Crypto.Tests.Noise;

public sealed class NoiseHandshakeTests
{
    /// <summary>The X25519 point of order 8 (RFC 7748 §6.1 lists the low-order points libsodium refuses).</summary>
    private const string OrderEightPoint = "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800";

    public static TheoryData<string> AuthenticatingProtocols => new()
    {
        "Noise_NK_25519_AESGCM_SHA256",
        "Noise_XK_25519_AESGCM_SHA256",
        "Noise_NK_25519_ChaChaPoly_SHA256",
        "Noise_XK_25519_ChaChaPoly_SHA256",
    };

    public static TheoryData<string> AllProtocols
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var pattern in new[] { "NN", "NK", "XK" })
            {
                foreach (var cipher in new[] { "AESGCM", "ChaChaPoly" })
                {
                    data.Add($"Noise_{pattern}_25519_{cipher}_SHA256");
                }
            }

            return data;
        }
    }

    [Fact]
    public void The_link_protocols_have_their_noise_names()
    {
        Assert.Equal("Noise_XK_25519_AESGCM_SHA256", NoiseProtocol.RelayToRelay.Name);
        Assert.Equal("Noise_NK_25519_AESGCM_SHA256", NoiseProtocol.ClientToRelay.Name);
        Assert.Equal("hpc-link-1", Encoding.ASCII.GetString(NoisePrologues.HpcLink));
    }

    [Theory]
    [InlineData("Noise_IK_25519_AESGCM_SHA256")]
    [InlineData("Noise_XK_448_AESGCM_SHA256")]
    [InlineData("Noise_XK_25519_AESGCM_BLAKE2s")]
    [InlineData("Noise_XK_25519_AESGCM_SHA256_extra")]
    [InlineData("Noise_XKpsk3_25519_ChaChaPoly_SHA256")]
    [InlineData("")]
    public void Protocols_that_are_not_implemented_do_not_parse(string name)
    {
        Assert.False(NoiseProtocol.TryParse(name, out _));
    }

    [Fact]
    public void NK_client_to_relay_completes_with_fresh_keys_and_the_hpc_prologue()
    {
        using var relayKey = LinkKey.Generate();
        using var client = NoiseHandshake.CreateInitiator(NoiseProtocol.ClientToRelay, NoisePrologues.HpcLink, remoteStatic: relayKey.PublicKey);
        using var relay = NoiseHandshake.CreateResponder(NoiseProtocol.ClientToRelay, NoisePrologues.HpcLink, relayKey);

        var buffer = new byte[NoiseHandshake.MaxMessageLength];
        var payload = new byte[NoiseHandshake.MaxMessageLength];
        Assert.True(client.IsMyTurnToWrite);
        Assert.False(relay.IsMyTurnToWrite);
        Assert.Equal(NoiseError.None, client.WriteMessage("hello relay"u8, buffer, out var written));
        Assert.Equal(32 + 11 + 16, written);
        Assert.Equal(NoiseError.None, relay.ReadMessage(buffer.AsSpan(0, written), payload, out var read));
        Assert.Equal("hello relay"u8.ToArray(), payload.AsSpan(0, read).ToArray());

        Assert.Equal(NoiseError.None, relay.WriteMessage("hello client"u8, buffer, out written));
        Assert.Equal(32 + 12 + 16, written);
        Assert.Equal(NoiseError.None, client.ReadMessage(buffer.AsSpan(0, written), payload, out read));
        Assert.Equal("hello client"u8.ToArray(), payload.AsSpan(0, read).ToArray());

        Assert.True(client.IsComplete && relay.IsComplete);
        Assert.Equal(client.HandshakeHash.ToArray(), relay.HandshakeHash.ToArray());
        using var clientLink = client.Split();
        using var relayLink = relay.Split();
        Assert.Equal(relayKey.PublicKey, clientLink.RemoteStaticKey);
        Assert.Null(relayLink.RemoteStaticKey);
        Assert.Equal(clientLink.HandshakeHash.ToArray(), relayLink.HandshakeHash.ToArray());
        AssertTransportWorksBothWays(clientLink, relayLink);
    }

    [Fact]
    public void XK_relay_to_relay_completes_and_the_responder_learns_the_initiator_key_from_message_three()
    {
        using var initiatorKey = LinkKey.Generate();
        using var responderKey = LinkKey.Generate();
        using var initiator = NoiseHandshake.CreateInitiator(NoiseProtocol.RelayToRelay, NoisePrologues.HpcLink, initiatorKey, responderKey.PublicKey);
        using var responder = NoiseHandshake.CreateResponder(NoiseProtocol.RelayToRelay, NoisePrologues.HpcLink, responderKey);

        var buffer = new byte[NoiseHandshake.MaxMessageLength];
        var payload = new byte[NoiseHandshake.MaxMessageLength];
        Assert.Equal(NoiseError.None, initiator.WriteMessage([], buffer, out var written));
        Assert.Equal(48, written);
        Assert.Equal(NoiseError.None, responder.ReadMessage(buffer.AsSpan(0, written), payload, out _));
        Assert.Null(responder.RemoteStaticKey);

        Assert.Equal(NoiseError.None, responder.WriteMessage([], buffer, out written));
        Assert.Equal(48, written);
        Assert.Equal(NoiseError.None, initiator.ReadMessage(buffer.AsSpan(0, written), payload, out _));
        Assert.Null(responder.RemoteStaticKey);

        Assert.Equal(NoiseError.None, initiator.WriteMessage("relay descriptor digest"u8, buffer, out written));
        Assert.Equal(48 + 23 + 16, written);
        Assert.Equal(NoiseError.None, responder.ReadMessage(buffer.AsSpan(0, written), payload, out var read));
        Assert.Equal("relay descriptor digest"u8.ToArray(), payload.AsSpan(0, read).ToArray());
        Assert.Equal(initiatorKey.PublicKey, responder.RemoteStaticKey);

        using var initiatorLink = initiator.Split();
        using var responderLink = responder.Split();
        Assert.Equal(responderKey.PublicKey, initiatorLink.RemoteStaticKey);
        Assert.Equal(initiatorKey.PublicKey, responderLink.RemoteStaticKey);
        Assert.Equal(initiatorLink.HandshakeHash.ToArray(), responderLink.HandshakeHash.ToArray());
        Assert.Equal(32, initiatorLink.HandshakeHash.Length);
        AssertTransportWorksBothWays(initiatorLink, responderLink);
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public void Every_protocol_round_trips_with_payloads_in_every_message(string name)
    {
        using var peers = new NoisePeers(NoisePeers.ProtocolNamed(name));
        peers.Complete(index => Encoding.ASCII.GetBytes($"payload of message {index}"));
        using var initiatorLink = peers.Initiator.Split();
        using var responderLink = peers.Responder.Split();
        Assert.Equal(initiatorLink.HandshakeHash.ToArray(), responderLink.HandshakeHash.ToArray());
        AssertTransportWorksBothWays(initiatorLink, responderLink);
    }

    [Fact]
    public void Two_handshakes_with_the_same_keys_give_different_transport_keys()
    {
        using var first = new NoisePeers(NoiseProtocol.RelayToRelay);
        first.Complete();
        using var second = new NoisePeers(NoiseProtocol.RelayToRelay);
        second.Complete();
        Assert.NotEqual(first.Initiator.HandshakeHash.ToArray(), second.Initiator.HandshakeHash.ToArray());
    }

    [Theory]
    [MemberData(nameof(AuthenticatingProtocols))]
    public void Flipping_a_bit_in_any_byte_of_any_handshake_message_is_rejected(string name)
    {
        var protocol = NoisePeers.ProtocolNamed(name);
        var payload = "abcde"u8.ToArray();
        for (var target = 0; target < protocol.Pattern.MessageCount; target++)
        {
            int length;
            using (var probe = new NoisePeers(protocol))
            {
                for (var i = 0; i < target; i++)
                {
                    Assert.Equal(NoiseError.None, probe.Read(probe.Write(payload)).Error);
                }

                length = probe.Write(payload).Length;
            }

            // One full handshake per changed byte; the bit within the byte rotates so every bit position is hit.
            for (var position = 0; position < length; position++)
            {
                var bit = (position * 8) + (position % 8);
                using var peers = new NoisePeers(protocol);
                for (var i = 0; i < target; i++)
                {
                    Assert.Equal(NoiseError.None, peers.Read(peers.Write(payload)).Error);
                }

                var message = peers.Write(payload);
                var receiver = peers.LastReceiver;
                message[bit / 8] ^= (byte)(1 << (bit % 8));
                var (error, received) = peers.Read(message);
                Assert.True(error == NoiseError.DecryptFailed, $"{name}: message {target}, bit {bit}: {error}");
                Assert.Empty(received);
                Assert.True(receiver.HasFailed);

                // A failed handshake stays failed, even for the genuine message.
                message[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.Equal(NoiseError.WrongState, peers.Read(message).Error);
            }
        }
    }

    [Fact]
    public void An_XK_responder_does_not_expose_the_initiator_key_of_a_third_message_that_failed()
    {
        using var peers = new NoisePeers(NoiseProtocol.RelayToRelay);
        Assert.Equal(NoiseError.None, peers.Read(peers.Write([])).Error);
        Assert.Equal(NoiseError.None, peers.Read(peers.Write([])).Error);

        // The encrypted static key is intact; only the payload's tag is broken.
        var third = peers.Write([]);
        third[^1] ^= 0x80;
        Assert.Equal(NoiseError.DecryptFailed, peers.Read(third).Error);
        Assert.Null(peers.Responder.RemoteStaticKey);
    }

    [Theory]
    [InlineData("Noise_XK_25519_AESGCM_SHA256")]
    [InlineData("Noise_NK_25519_AESGCM_SHA256")]
    public void An_initiator_given_the_wrong_responder_key_fails_at_the_first_message(string name)
    {
        using var impostor = LinkKey.Generate();
        using var peers = new NoisePeers(NoisePeers.ProtocolNamed(name), initiatorView: impostor.PublicKey);
        Assert.Equal(NoiseError.DecryptFailed, peers.Read(peers.Write([])).Error);
        Assert.True(peers.Responder.HasFailed);
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public void Different_prologues_fail(string name)
    {
        var protocol = NoisePeers.ProtocolNamed(name);
        using var peers = new NoisePeers(protocol, "hpc-link-1"u8.ToArray(), "hpc-link-2"u8.ToArray());

        // NN's first message carries no key, so the mismatch shows at the first message that has one.
        var firstKeyedMessage = protocol.Pattern == NoiseHandshakePattern.NN ? 1 : 0;
        for (var i = 0; i < firstKeyedMessage; i++)
        {
            Assert.Equal(NoiseError.None, peers.Read(peers.Write([])).Error);
        }

        Assert.Equal(NoiseError.DecryptFailed, peers.Read(peers.Write([])).Error);
    }

    [Theory]
    [MemberData(nameof(AuthenticatingProtocols))]
    public void Truncated_handshake_messages_fail(string name)
    {
        var protocol = NoisePeers.ProtocolNamed(name);
        var payload = "payload"u8.ToArray();
        for (var target = 0; target < protocol.Pattern.MessageCount; target++)
        {
            var overhead = Overhead(protocol, target);
            for (var cut = 0; cut < overhead + payload.Length; cut++)
            {
                using var peers = new NoisePeers(protocol);
                for (var i = 0; i < target; i++)
                {
                    Assert.Equal(NoiseError.None, peers.Read(peers.Write(payload)).Error);
                }

                var message = peers.Write(payload);
                var expected = cut < overhead ? NoiseError.Truncated : NoiseError.DecryptFailed;
                Assert.Equal(expected, peers.Read(message[..cut]).Error);
            }
        }
    }

    [Fact]
    public void A_handshake_message_with_a_trailing_byte_fails()
    {
        using var peers = new NoisePeers(NoiseProtocol.RelayToRelay);
        var message = peers.Write([]);
        Assert.Equal(NoiseError.DecryptFailed, peers.Read([.. message, 0]).Error);
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(OrderEightPoint)]
    public void A_low_order_ephemeral_key_is_a_typed_failure(string point)
    {
        using var peers = new NoisePeers(NoiseProtocol.RelayToRelay);
        var message = peers.Write([]);
        Convert.FromHexString(point).CopyTo(message, 0);
        Assert.Equal(NoiseError.LowOrderPoint, peers.Read(message).Error);
        Assert.True(peers.Responder.HasFailed);
    }

    [Fact]
    public void A_low_order_ephemeral_key_is_caught_when_the_DH_happens_on_the_write_side()
    {
        var protocol = NoisePeers.ProtocolNamed("Noise_NN_25519_AESGCM_SHA256");
        using var responder = NoiseHandshake.CreateResponder(protocol, NoisePrologues.HpcLink);
        var payload = new byte[64];
        Assert.Equal(NoiseError.None, responder.ReadMessage(new byte[32], payload, out _));
        Assert.Equal(NoiseError.LowOrderPoint, responder.WriteMessage([], new byte[64], out var written));
        Assert.Equal(0, written);
        Assert.True(responder.HasFailed);
    }

    [Fact]
    public void A_low_order_responder_key_given_to_the_initiator_is_a_typed_failure()
    {
        var lowOrder = X25519PublicKey.FromBytes(Convert.FromHexString(OrderEightPoint));
        using var initiator = NoiseHandshake.CreateInitiator(NoiseProtocol.ClientToRelay, NoisePrologues.HpcLink, remoteStatic: lowOrder);
        Assert.Equal(NoiseError.LowOrderPoint, initiator.WriteMessage([], new byte[64], out _));
        Assert.True(initiator.HasFailed);
    }

    [Fact]
    public void Messages_out_of_turn_are_refused_without_ending_the_handshake()
    {
        using var peers = new NoisePeers(NoiseProtocol.RelayToRelay);
        var buffer = new byte[NoiseHandshake.MaxMessageLength];
        Assert.Equal(NoiseError.WrongState, peers.Responder.WriteMessage([], buffer, out _));
        Assert.Equal(NoiseError.WrongState, peers.Initiator.ReadMessage(new byte[48], buffer, out _));
        Assert.False(peers.Initiator.HasFailed || peers.Responder.HasFailed);

        peers.Complete();
        Assert.Equal(NoiseError.WrongState, peers.Initiator.WriteMessage([], buffer, out _));
        Assert.Equal(NoiseError.WrongState, peers.Responder.ReadMessage(new byte[64], buffer, out _));
        Assert.Throws<InvalidOperationException>(() => peers.Initiator.GetNextMessageLength(0));
    }

    [Fact]
    public void Split_and_the_handshake_hash_need_a_complete_handshake()
    {
        using var peers = new NoisePeers(NoiseProtocol.RelayToRelay);
        Assert.Throws<InvalidOperationException>(() => peers.Initiator.Split());
        Assert.Throws<InvalidOperationException>(() => peers.Initiator.HandshakeHash.ToArray());
        peers.Complete();
        using var transport = peers.Initiator.Split();
        Assert.Throws<InvalidOperationException>(() => peers.Initiator.Split());
        Assert.Throws<InvalidOperationException>(() => peers.Initiator.HandshakeHash.ToArray());
    }

    [Fact]
    public void A_failed_handshake_refuses_everything_after()
    {
        using var peers = new NoisePeers(NoiseProtocol.RelayToRelay);
        Assert.Equal(NoiseError.Truncated, peers.Read([.. peers.Write([])[..10]]).Error);
        Assert.True(peers.Responder.HasFailed);
        Assert.Equal(NoiseError.WrongState, peers.Responder.WriteMessage([], new byte[100], out _));
        Assert.Throws<InvalidOperationException>(() => peers.Responder.Split());
    }

    [Theory]
    [MemberData(nameof(AllProtocols))]
    public void The_largest_payload_fits_and_one_more_byte_is_refused(string name)
    {
        using var peers = new NoisePeers(NoisePeers.ProtocolNamed(name));
        var buffer = new byte[NoiseHandshake.MaxMessageLength + 1];
        var largest = NoiseHandshake.MaxMessageLength - peers.Initiator.GetNextMessageLength(0);
        Assert.Equal(NoiseError.PayloadTooLarge, peers.Initiator.WriteMessage(new byte[largest + 1], buffer, out var written));
        Assert.Equal(0, written);
        Assert.False(peers.Initiator.HasFailed);

        var payload = new byte[largest];
        Random.Shared.NextBytes(payload);
        var message = peers.Write(payload);
        Assert.Equal(NoiseHandshake.MaxMessageLength, message.Length);
        var (error, received) = peers.Read(message);
        Assert.Equal(NoiseError.None, error);
        Assert.Equal(payload, received);
    }

    [Fact]
    public void A_received_message_over_the_noise_limit_is_refused()
    {
        using var peers = new NoisePeers(NoiseProtocol.RelayToRelay);
        var payload = new byte[NoiseHandshake.MaxMessageLength + 1];
        Assert.Equal(NoiseError.MessageTooLarge, peers.Responder.ReadMessage(new byte[NoiseHandshake.MaxMessageLength + 1], payload, out _));
        Assert.True(peers.Responder.HasFailed);
    }

    [Fact]
    public void A_payload_buffer_too_small_is_reported_without_ending_the_handshake()
    {
        using var peers = new NoisePeers(NoiseProtocol.RelayToRelay);
        var message = peers.Write("twelve bytes"u8.ToArray());
        Assert.Equal(NoiseError.BufferTooSmall, peers.Responder.ReadMessage(message, new byte[11], out _));
        Assert.False(peers.Responder.HasFailed);
        var payload = new byte[12];
        Assert.Equal(NoiseError.None, peers.Responder.ReadMessage(message, payload, out var read));
        Assert.Equal(12, read);
    }

    [Fact]
    public void Caller_mistakes_with_buffers_throw()
    {
        using var peers = new NoisePeers(NoiseProtocol.RelayToRelay);
        var buffer = new byte[200];
        Assert.Throws<ArgumentException>(() => peers.Initiator.WriteMessage([], new byte[47], out _));
        Assert.Throws<ArgumentException>(() => peers.Initiator.WriteMessage(buffer.AsSpan(0, 10), buffer, out _));
        var message = peers.Write([]);
        message.CopyTo(buffer, 0);
        Assert.Throws<ArgumentException>(() => peers.Responder.ReadMessage(buffer.AsSpan(0, 48), buffer.AsSpan(40), out _));
    }

    [Fact]
    public void Keys_are_checked_against_the_pattern_when_a_handshake_starts()
    {
        using var key = LinkKey.Generate();
        var xk = NoiseProtocol.RelayToRelay;
        var nk = NoiseProtocol.ClientToRelay;

        // Missing keys.
        Assert.Throws<ArgumentException>(() => NoiseHandshake.CreateInitiator(xk, NoisePrologues.HpcLink, key));
        Assert.Throws<ArgumentException>(() => NoiseHandshake.CreateInitiator(xk, NoisePrologues.HpcLink, remoteStatic: key.PublicKey));
        Assert.Throws<ArgumentException>(() => NoiseHandshake.CreateResponder(nk, NoisePrologues.HpcLink));

        // Keys the pattern does not use: an NK client is anonymous, an XK responder learns the initiator's key.
        Assert.Throws<ArgumentException>(() => NoiseHandshake.CreateInitiator(nk, NoisePrologues.HpcLink, key, key.PublicKey));
        Assert.Throws<ArgumentException>(() => NoiseHandshake.CreateResponder(xk, NoisePrologues.HpcLink, key, key.PublicKey));
    }

    [Theory]
    [MemberData(nameof(AuthenticatingProtocols))]
    public void Random_bytes_never_complete_a_message_and_never_throw(string name)
    {
        var protocol = NoisePeers.ProtocolNamed(name);
        var random = new Random(1234);
        var payload = new byte[NoiseHandshake.MaxMessageLength];
        for (var round = 0; round < 300; round++)
        {
            using var peers = new NoisePeers(protocol);
            var message = new byte[random.Next(0, round % 10 == 0 ? 2000 : 120)];
            random.NextBytes(message);
            var error = peers.Responder.ReadMessage(message, payload, out var read);
            Assert.NotEqual(NoiseError.None, error);
            Assert.Equal(0, read);
        }
    }

    private static int Overhead(NoiseProtocol protocol, int messageIndex)
    {
        using var peers = new NoisePeers(protocol);
        for (var i = 0; i < messageIndex; i++)
        {
            Assert.Equal(NoiseError.None, peers.Read(peers.Write([])).Error);
        }

        return peers.Sender.GetNextMessageLength(0);
    }

    private static void AssertTransportWorksBothWays(NoiseTransport a, NoiseTransport b)
    {
        var cell = new byte[514];
        var frame = new byte[514 + NoiseCipherState.TagLength];
        var opened = new byte[514];
        for (var i = 0; i < 3; i++)
        {
            foreach (var (from, to) in new[] { (a, b), (b, a) })
            {
                Random.Shared.NextBytes(cell);
                Assert.Equal(NoiseError.None, from.Sender.Encrypt(cell, frame));
                Assert.Equal(NoiseError.None, to.Receiver.Decrypt(frame, opened));
                Assert.Equal(cell, opened);
            }
        }
    }
}
