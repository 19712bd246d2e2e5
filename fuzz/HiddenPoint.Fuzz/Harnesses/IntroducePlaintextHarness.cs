using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// INTRODUCE2's decrypted plaintext (FZ-11): rendezvous cookie, extensions, onion key and the rendezvous point's link
/// specifiers, then padding. An accepted plaintext must encode and decode to the same encoding.
/// </summary>
internal sealed class IntroducePlaintextHarness : Harness
{
    public override string Name => "introduce-plaintext";

    public override string Description => "INTRODUCE1/2 decrypted plaintext (round-tripped)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (!IntroducePlaintext.TryDecode(input, out var plaintext, out _))
        {
            return;
        }

        var encoded = Encode(plaintext);
        CheckAccepted(IntroducePlaintext.TryDecode(encoded, out var again, out _), "introduce plaintext");
        CheckSame(encoded, Encode(again), "introduce plaintext");
    }

    private static byte[] Encode(IntroducePlaintext plaintext)
    {
        var bytes = new byte[plaintext.UnpaddedLength];
        plaintext.Encode(bytes);
        return bytes;
    }

    public override IEnumerable<byte[]> Seeds()
    {
        var padded = new byte[Samples.Plaintext.UnpaddedLength + 16];
        Samples.Plaintext.Encode(padded);
        yield return padded;
        yield return Encode(new IntroducePlaintext(Samples.Bytes(20, 1), null, Samples.Bytes(32, 2), Samples.TargetV4Only));
        yield return [];
    }
}
