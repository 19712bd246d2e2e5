using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Testing.Protocol;

/// <summary>Deterministic padding: bytes 0xA0, 0xA1, ... so that cell encodings can be frozen.</summary>
public sealed class CountingPaddingSource : IPaddingSource
{
    /// <inheritdoc/>
    public void Fill(Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = unchecked((byte)(0xA0 + i));
        }
    }
}

/// <summary>
/// One valid instance of every relay message, with recognisable field bytes, and relay cell bodies made from them:
/// the protocol tests' cases and the fuzz harnesses' seeds.
/// </summary>
public static class RelayMessageSamples
{
    /// <summary><paramref name="length"/> bytes counting up from <paramref name="start"/>.</summary>
    public static byte[] Bytes(int length, byte start) =>
        Enumerable.Range(0, length).Select(i => unchecked((byte)(start + i))).ToArray();

    /// <summary>A relay identity of recognisable bytes.</summary>
    public static RelayId Identity => new(Ed25519PublicKey.FromBytes(Bytes(32, 0x10)));

    /// <summary>Link specifiers with both addresses and an unrecognised specifier.</summary>
    public static LinkSpecifiers Target => new(
        Identity,
        new IPEndPoint(IPAddress.Parse("127.3.0.1"), 9001),
        new IPEndPoint(IPAddress.Parse("fd00::1"), 9002),
        [new UnrecognizedLinkSpecifier((LinkSpecifierType)9, [1, 2, 3])]);

    /// <summary>Link specifiers with an IPv4 address only.</summary>
    public static LinkSpecifiers TargetV4Only => new(Identity, new IPEndPoint(IPAddress.Loopback, 1), null);

    /// <summary>Two extensions, one of them empty.</summary>
    public static IReadOnlyList<Extension> Extensions => [new Extension(1, [0x01, 0x02]), new Extension(7, [])];

    /// <summary>The stream id a sample of <paramref name="command"/> is sent on (none for circuit commands).</summary>
    public static StreamId StreamFor(RelayCommand command) =>
        RelayCommands.CarriesStreamId(command) ? new StreamId(0x1234) : default;

    /// <summary>Every relay message, some in two shapes.</summary>
    public static IEnumerable<RelayMessage> AllMessages()
    {
        yield return new BeginMessage(443, 0);
        yield return new BeginMessage(1, 0xDEADBEEF);
        yield return new DataMessage(Bytes(1, 0x55));
        yield return new DataMessage(Bytes(RelayCell.MaxDataWithStream, 0x00));
        yield return new EndMessage(EndReason.Done);
        yield return new EndMessage((EndReason)200);
        yield return new ConnectedMessage();
        yield return new StreamSendmeMessage();
        yield return new SendmeMessage(Bytes(16, 0x30));
        yield return new DropMessage();
        yield return new Extend2Message(Target, HandshakeType.NtorV3, Bytes(100, 0x40));
        yield return new Extend2Message(TargetV4Only, HandshakeType.NtorV3, []);
        yield return new Extended2Message(Bytes(64, 0x50));
        yield return new Extended2Message([]);
        yield return new EstablishIntroMessage(Bytes(32, 0x60), Extensions, Bytes(32, 0x70), Bytes(64, 0x80));
        yield return new EstablishIntroMessage(Bytes(32, 0x60), null, Bytes(32, 0x70), Bytes(64, 0x80));
        yield return new IntroEstablishedMessage();
        yield return new IntroEstablishedMessage(Extensions);
        yield return new Introduce1Message(Bytes(32, 0x61), Extensions, Bytes(32, 0x71), Bytes(200, 0x01), Bytes(32, 0x91));
        yield return new Introduce2Message(Bytes(32, 0x62), null, Bytes(32, 0x72), Bytes(1, 0x02), Bytes(32, 0x92));
        yield return new IntroduceAckMessage(IntroduceAckStatus.Success);
        yield return new IntroduceAckMessage(IntroduceAckStatus.ServiceNotRecognized, Extensions);
        yield return new EstablishRendezvousMessage(Bytes(20, 0xC0));
        yield return new RendezvousEstablishedMessage();
        yield return new Rendezvous1Message(Bytes(20, 0xC0), Bytes(32, 0xD0), Bytes(32, 0xE0));
        yield return new Rendezvous2Message(Bytes(32, 0xD0), Bytes(32, 0xE0));
        yield return new DescriptorStoreMessage(Bytes(32, 0x01), 50_000);
        yield return new DescriptorFetchMessage(Bytes(32, 0x02));
        yield return new DirectoryRequestMessage(DirectoryResource.Consensus, []);
        yield return new DirectoryRequestMessage(DirectoryResource.RelayDescriptor, Bytes(32, 0x03));
        yield return new DirectoryResponseMessage(DirectoryStatus.Ok, 1_000_000);
        yield return new DirectoryResponseMessage(DirectoryStatus.NotFound, 0);
        yield return new UnrecognizedMessage((RelayCommand)200, Bytes(10, 0x11));
    }

    /// <summary>A decrypted INTRODUCE2 body.</summary>
    public static IntroducePlaintext Plaintext => new(Bytes(20, 0xC0), Extensions, Bytes(32, 0x33), Target);

    /// <summary>A 509-byte relay cell body holding <paramref name="message"/>.</summary>
    public static byte[] Body(RelayMessage message)
    {
        var body = new byte[Cell.BodyLength];
        RelayCell.Encode(body, message, StreamFor(message.Command), new CountingPaddingSource());
        return body;
    }

    /// <summary>A 509-byte relay cell body with a hand-written header and data (for malformed cases).</summary>
    public static byte[] RawBody(RelayCommand command, ushort length, ushort? streamId, ReadOnlySpan<byte> data)
    {
        var body = new byte[Cell.BodyLength];
        body[RelayCell.CommandOffset] = (byte)command;
        body[RelayCell.LengthOffset] = (byte)(length >> 8);
        body[RelayCell.LengthOffset + 1] = (byte)length;
        var at = RelayCell.StreamIdOffset;
        if (streamId is { } id)
        {
            body[at] = (byte)(id >> 8);
            body[at + 1] = (byte)id;
            at += 2;
        }

        data.CopyTo(body.AsSpan(at));
        return body;
    }
}
