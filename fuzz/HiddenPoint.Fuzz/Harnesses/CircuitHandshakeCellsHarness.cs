using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// FZ-04: the first input byte picks CREATE2 body, CREATED2 body, EXTEND2 data, EXTENDED2 data or a link specifier
/// list; the rest is decoded as that, and an accepted value must round-trip.
/// </summary>
internal sealed class CircuitHandshakeCellsHarness : Harness
{
    public override string Name => "extend2";

    public override string Description => "CREATE2 / CREATED2 bodies, EXTEND2 / EXTENDED2 data and link specifier lists (first byte picks)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var data = input[1..];
        switch (input[0] % 5)
        {
            case 0:
                if (Create2Body.TryDecode(data, out var create2, out _))
                {
                    var body = new byte[Cell.BodyLength];
                    create2.Encode(body);
                    CheckAccepted(Create2Body.TryDecode(body, out var again, out _), "CREATE2");
                    CheckSame(create2.HandshakeData, again.HandshakeData, "CREATE2");
                }

                break;
            case 1:
                if (Created2Body.TryDecode(data, out var created2, out _))
                {
                    var body = new byte[Cell.BodyLength];
                    created2.Encode(body);
                    CheckAccepted(Created2Body.TryDecode(body, out var again, out _), "CREATED2");
                    CheckSame(created2.HandshakeData, again.HandshakeData, "CREATED2");
                }

                break;
            case 2:
                RoundTripMessage(RelayCommand.Extend2, data);
                break;
            case 3:
                RoundTripMessage(RelayCommand.Extended2, data);
                break;
            default:
                RoundTripSpecifiers(data);
                break;
        }
    }

    private static void RoundTripMessage(RelayCommand command, ReadOnlySpan<byte> data)
    {
        if (RelayMessage.TryDecode(command, data, out var message, out _))
        {
            var encoded = message.EncodeData();
            CheckAccepted(RelayMessage.TryDecode(command, encoded, out var again, out _), command.ToString());
            CheckSame(encoded, again.EncodeData(), command.ToString());
        }
    }

    private static void RoundTripSpecifiers(ReadOnlySpan<byte> data)
    {
        var reader = new WireReader(data);
        if (!LinkSpecifiers.TryDecode(ref reader, out var specifiers, out _) || !reader.TryExpectEnd(out _))
        {
            return;
        }

        var encoded = Encode(specifiers);
        var again = new WireReader(encoded);
        CheckAccepted(LinkSpecifiers.TryDecode(ref again, out var second, out _) && again.TryExpectEnd(out _), "link specifiers");
        CheckSame(encoded, Encode(second), "link specifiers");
    }

    private static byte[] Encode(LinkSpecifiers specifiers)
    {
        var bytes = new byte[specifiers.EncodedLength];
        var writer = new WireWriter(bytes);
        specifiers.Encode(ref writer);
        return bytes;
    }

    public override IEnumerable<byte[]> Seeds()
    {
        var create2 = new byte[Cell.BodyLength];
        new Create2Body(HandshakeType.NtorV3, Samples.Bytes(120, 1)).Encode(create2);
        yield return [0, .. create2];
        var created2 = new byte[Cell.BodyLength];
        new Created2Body(Samples.Bytes(80, 2)).Encode(created2);
        yield return [1, .. created2];
        yield return [2, .. new Extend2Message(Samples.Target, HandshakeType.NtorV3, Samples.Bytes(100, 0x40)).EncodeData()];
        yield return [2, .. new Extend2Message(Samples.TargetV4Only, HandshakeType.NtorV3, []).EncodeData()];
        yield return [3, .. new Extended2Message(Samples.Bytes(64, 0x50)).EncodeData()];
        yield return [4, .. Encode(Samples.Target)];
        yield return [4, .. Encode(Samples.TargetV4Only)];
        yield return [0, 0, 3, 0xFF, 0xFF];
        yield return [4, 0xFF];
    }
}
