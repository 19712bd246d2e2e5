using HiddenPoint.Crypto.Noise;

namespace HiddenPoint.Crypto.Tests.Noise;

/// <summary>The transport cipher states a link uses after the handshake: one sealed 514-byte cell per frame.</summary>
public sealed class NoiseTransportTests : IDisposable
{
    private const int CellLength = 514;
    private const int FrameLength = CellLength + NoiseCipherState.TagLength;

    private readonly NoisePeers _peers;
    private readonly NoiseTransport _initiator;
    private readonly NoiseTransport _responder;

    public NoiseTransportTests()
    {
        _peers = new NoisePeers(NoiseProtocol.RelayToRelay);
        _peers.Complete();
        _initiator = _peers.Initiator.Split();
        _responder = _peers.Responder.Split();
    }

    public static TheoryData<string> Protocols => new()
    {
        "Noise_XK_25519_AESGCM_SHA256",
        "Noise_NK_25519_AESGCM_SHA256",
        "Noise_XK_25519_ChaChaPoly_SHA256",
    };

    public void Dispose()
    {
        _initiator.Dispose();
        _responder.Dispose();
        _peers.Dispose();
    }

    [Fact]
    public void A_cell_seals_into_a_frame_of_cell_plus_tag_and_opens_back()
    {
        var cell = RandomCell();
        var frame = new byte[FrameLength];
        var opened = new byte[CellLength];
        Assert.Equal(0UL, _initiator.Sender.NextNonce);
        Assert.Equal(NoiseError.None, _initiator.Sender.Encrypt(cell, frame));
        Assert.Equal(1UL, _initiator.Sender.NextNonce);
        Assert.NotEqual(cell, frame[..CellLength]);
        Assert.Equal(NoiseError.None, _responder.Receiver.Decrypt(frame, opened));
        Assert.Equal(1UL, _responder.Receiver.NextNonce);
        Assert.Equal(cell, opened);
    }

    [Fact]
    public void Buffers_that_overlap_other_than_in_place_are_refused_and_the_nonce_stays()
    {
        var buffer = new byte[FrameLength + 1];
        Assert.Throws<ArgumentException>(() => _initiator.Sender.Encrypt(buffer.AsSpan(0, CellLength), buffer.AsSpan(1)));
        Assert.Equal(0UL, _initiator.Sender.NextNonce);
        Assert.Equal(NoiseError.None, _initiator.Sender.Encrypt(buffer.AsSpan(0, CellLength), buffer));
        Assert.Throws<ArgumentException>(() => _responder.Receiver.Decrypt(buffer.AsSpan(0, FrameLength), buffer.AsSpan(1)));
        Assert.Equal(0UL, _responder.Receiver.NextNonce);
        Assert.Equal(NoiseError.None, _responder.Receiver.Decrypt(buffer.AsSpan(0, FrameLength), buffer));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Each_direction_has_its_own_key(string name)
    {
        using var peers = new NoisePeers(NoisePeers.ProtocolNamed(name));
        peers.Complete();
        using var initiator = peers.Initiator.Split();
        using var responder = peers.Responder.Split();
        var frame = new byte[FrameLength];
        var opened = new byte[CellLength];

        // Both sides' first frames use nonce 0; they must still differ, and neither side can open its own.
        Assert.Equal(NoiseError.None, initiator.Sender.Encrypt(new byte[CellLength], frame));
        var fromInitiator = frame.ToArray();
        Assert.Equal(NoiseError.None, responder.Sender.Encrypt(new byte[CellLength], frame));
        Assert.NotEqual(fromInitiator, frame);
        Assert.Equal(NoiseError.DecryptFailed, initiator.Receiver.Decrypt(fromInitiator, opened));
        Assert.Equal(NoiseError.None, responder.Receiver.Decrypt(fromInitiator, opened));
        Assert.Equal(NoiseError.None, initiator.Receiver.Decrypt(frame, opened));
    }

    [Fact]
    public void A_modified_frame_is_rejected_wherever_the_bit_is_and_the_genuine_frame_still_opens()
    {
        var cell = RandomCell();
        var frame = new byte[FrameLength];
        var opened = new byte[CellLength];
        Assert.Equal(NoiseError.None, _initiator.Sender.Encrypt(cell, frame));
        for (var bit = 0; bit < FrameLength * 8; bit++)
        {
            frame[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(NoiseError.DecryptFailed, _responder.Receiver.Decrypt(frame, opened));
            frame[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        // Failures did not move the counter.
        Assert.Equal(0UL, _responder.Receiver.NextNonce);
        Assert.Equal(NoiseError.None, _responder.Receiver.Decrypt(frame, opened));
        Assert.Equal(cell, opened);
    }

    [Fact]
    public void Frames_must_be_opened_in_order_and_only_once()
    {
        var first = Seal(_initiator, RandomCell());
        var second = Seal(_initiator, RandomCell());
        var opened = new byte[CellLength];

        Assert.Equal(NoiseError.DecryptFailed, _responder.Receiver.Decrypt(second, opened));
        Assert.Equal(NoiseError.None, _responder.Receiver.Decrypt(first, opened));
        Assert.Equal(NoiseError.DecryptFailed, _responder.Receiver.Decrypt(first, opened));
        Assert.Equal(NoiseError.None, _responder.Receiver.Decrypt(second, opened));
        Assert.Equal(NoiseError.DecryptFailed, _responder.Receiver.Decrypt(second, opened));
    }

    [Fact]
    public void Associated_data_must_match()
    {
        var frame = new byte[FrameLength];
        var opened = new byte[CellLength];
        Assert.Equal(NoiseError.None, _initiator.Sender.Encrypt("ad"u8, new byte[CellLength], frame));
        Assert.Equal(NoiseError.DecryptFailed, _responder.Receiver.Decrypt(frame, opened));
        Assert.Equal(NoiseError.DecryptFailed, _responder.Receiver.Decrypt("ae"u8, frame, opened));
        Assert.Equal(NoiseError.None, _responder.Receiver.Decrypt("ad"u8, frame, opened));
    }

    [Fact]
    public void The_last_nonce_is_reserved_so_the_counter_runs_out_with_a_typed_error()
    {
        _initiator.Sender.SetNonceForTestsOnly(ulong.MaxValue - 1);
        _responder.Receiver.SetNonceForTestsOnly(ulong.MaxValue - 1);
        var cell = RandomCell();
        var frame = new byte[FrameLength];
        var opened = new byte[CellLength];

        Assert.Equal(NoiseError.None, _initiator.Sender.Encrypt(cell, frame));
        Assert.Equal(NoiseError.None, _responder.Receiver.Decrypt(frame, opened));
        Assert.Equal(cell, opened);
        Assert.Equal(ulong.MaxValue, _initiator.Sender.NextNonce);

        Assert.Equal(NoiseError.NonceExhausted, _initiator.Sender.Encrypt(cell, frame));
        Assert.Equal(NoiseError.NonceExhausted, _responder.Receiver.Decrypt(frame, opened));
        Assert.Equal(ulong.MaxValue, _initiator.Sender.NextNonce);
    }

    [Fact]
    public void Lengths_from_the_peer_give_typed_errors()
    {
        var opened = new byte[NoiseCipherState.MaxMessageLength + 1];
        for (var length = 0; length < NoiseCipherState.TagLength; length++)
        {
            Assert.Equal(NoiseError.Truncated, _responder.Receiver.Decrypt(new byte[length], opened));
        }

        Assert.Equal(NoiseError.MessageTooLarge, _responder.Receiver.Decrypt(new byte[NoiseCipherState.MaxMessageLength + 1], opened));
        Assert.Equal(NoiseError.BufferTooSmall, _responder.Receiver.Decrypt(new byte[FrameLength], new byte[CellLength - 1]));
        Assert.Equal(0UL, _responder.Receiver.NextNonce);

        // A frame of the right length from the peer opens into a larger buffer, writing only the cell's bytes.
        var frame = Seal(_initiator, RandomCell());
        Assert.Equal(NoiseError.None, _responder.Receiver.Decrypt(frame, opened));
    }

    [Fact]
    public void Our_own_sizes_are_checked_on_encrypt()
    {
        var largest = NoiseCipherState.MaxMessageLength - NoiseCipherState.TagLength;
        var buffer = new byte[NoiseCipherState.MaxMessageLength + 1];
        Assert.Equal(NoiseError.PayloadTooLarge, _initiator.Sender.Encrypt(new byte[largest + 1], buffer));
        Assert.Throws<ArgumentException>(() => _initiator.Sender.Encrypt(new byte[CellLength], new byte[FrameLength - 1]));
        Assert.Equal(0UL, _initiator.Sender.NextNonce);
        Assert.Equal(NoiseError.None, _initiator.Sender.Encrypt(new byte[largest], buffer));
        Assert.Equal(NoiseError.None, _responder.Receiver.Decrypt(buffer.AsSpan(0, NoiseCipherState.MaxMessageLength), buffer));
    }

    [Fact]
    public void A_cell_can_be_sealed_and_opened_in_place()
    {
        var cell = RandomCell();
        var buffer = new byte[FrameLength];
        cell.CopyTo(buffer, 0);
        Assert.Equal(NoiseError.None, _initiator.Sender.Encrypt(buffer.AsSpan(0, CellLength), buffer));
        Assert.Equal(NoiseError.None, _responder.Receiver.Decrypt(buffer, buffer));
        Assert.Equal(cell, buffer[..CellLength]);
    }

    [Fact]
    public void Rekey_must_happen_on_both_sides()
    {
        var opened = new byte[CellLength];
        _initiator.Sender.Rekey();
        _responder.Receiver.Rekey();
        Assert.Equal(0UL, _initiator.Sender.NextNonce);
        var cell = RandomCell();
        Assert.Equal(NoiseError.None, _responder.Receiver.Decrypt(Seal(_initiator, cell), opened));
        Assert.Equal(cell, opened);

        _initiator.Sender.Rekey();
        Assert.Equal(NoiseError.DecryptFailed, _responder.Receiver.Decrypt(Seal(_initiator, cell), opened));
    }

    [Fact]
    public void A_disposed_cipher_state_cannot_be_used()
    {
        _initiator.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _initiator.Sender.Encrypt(new byte[1], new byte[17]));
        Assert.Throws<ObjectDisposedException>(() => _initiator.Receiver.Decrypt(new byte[17], new byte[1]));
    }

    [Fact]
    public void Sealing_and_opening_a_cell_allocates_nothing()
    {
        var cell = RandomCell();
        var frame = new byte[FrameLength];
        var opened = new byte[CellLength];
        for (var i = 0; i < 100; i++)
        {
            SealAndOpen(cell, frame, opened);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            SealAndOpen(cell, frame, opened);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.Equal(cell, opened);
    }

    private void SealAndOpen(byte[] cell, byte[] frame, byte[] opened)
    {
        if (_initiator.Sender.Encrypt(cell, frame) != NoiseError.None || _responder.Receiver.Decrypt(frame, opened) != NoiseError.None)
        {
            throw new InvalidOperationException("Seal or open failed.");
        }
    }

    private static byte[] Seal(NoiseTransport from, byte[] cell)
    {
        var frame = new byte[cell.Length + NoiseCipherState.TagLength];
        Assert.Equal(NoiseError.None, from.Sender.Encrypt(cell, frame));
        return frame;
    }

    private static byte[] RandomCell()
    {
        var cell = new byte[CellLength];
        Random.Shared.NextBytes(cell);
        return cell;
    }
}
