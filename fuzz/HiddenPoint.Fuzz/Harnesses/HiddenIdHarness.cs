using System.Text;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// Hidden-id text (FZ-12, C tor's <c>fuzz-strops</c> analogue): base32, checksum, version, suffix and torsion checks.
/// The input is read as UTF-8 (invalid sequences become U+FFFD, as any text from a user would); an accepted id must
/// print and parse back to the same key.
/// </summary>
internal sealed class HiddenIdHarness : Harness
{
    public override string Name => "hidden-id";

    public override string Description => "hidden-id text: base32, checksum, version and suffix (round-tripped)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (!HiddenId.TryParse(text, HiddenIdLabels.Hpc, out var id, out _) || id is null)
        {
            return;
        }

        var printed = id.ToString();
        CheckAccepted(HiddenId.TryParse(printed, HiddenIdLabels.Hpc, out var again, out _) && again is not null, "hidden-id");
        CheckSame(id.IdentityKey.Bytes, again.IdentityKey.Bytes, "hidden-id");
        CheckSame(Encoding.ASCII.GetBytes(printed), Encoding.ASCII.GetBytes(again.ToString()), "hidden-id");
    }

    public override IEnumerable<byte[]> Seeds()
    {
        using var identity = HiddenPointIdentitySecretKey.FromSeed(FixedKeys.Seed(14, 1));
        var id = identity.PublicKey.ToHiddenId().ToString();
        yield return Encoding.ASCII.GetBytes(id);
        yield return Encoding.ASCII.GetBytes(id[..56]);
        yield return Encoding.ASCII.GetBytes(id.ToUpperInvariant());
        yield return "a.hpc"u8.ToArray();
    }
}
