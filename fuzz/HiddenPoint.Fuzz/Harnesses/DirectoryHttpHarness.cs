using System.Net;
using HiddenPoint.DirectoryAuthority.Descriptors;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// The directory authority's HTTP inputs (FZ-13, C tor's <c>fuzz-http</c>): what its endpoints parse from a request
/// body. The first byte picks the endpoint: a descriptor upload (<c>POST /hpc/descriptor</c>, through the descriptor
/// store with its size, time and rate checks), a vote upload's header (<c>POST /hpc/vote</c>, read before the rest is
/// accepted), or a signature line (<c>POST /hpc/signature</c>). The request line and headers are Kestrel's, not ours.
/// </summary>
internal sealed class DirectoryHttpHarness : Harness
{
    private static readonly DescriptorStore s_store = new(new DescriptorStoreOptions { UploadsPerWindow = int.MaxValue }, new FixedClock(DocumentFixture.Published.AddMinutes(5)));

    public override string Name => "directory-http";

    public override string Description => "directory authority request bodies: descriptor upload, vote header, signature line (first byte picks)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var body = input[1..];
        switch (input[0] % 3)
        {
            case 0:
                _ = s_store.Submit(body, IPAddress.Loopback);
                break;
            case 1:
                _ = VoteHeader.TryRead(body, out _);
                break;
            default:
                _ = DirectorySignature.TryParseLine(body, out _);
                break;
        }
    }

    public override IEnumerable<byte[]> Seeds()
    {
        yield return [0, .. DocumentFixture.Descriptor(0, withFamily: false)];
        yield return [1, .. DocumentFixture.Vote(1).AsSpan(0, 400)];
        var consensus = DocumentFixture.Consensus(1);
        var signature = consensus.AsSpan(consensus.AsSpan().LastIndexOf("directory-signature "u8));
        yield return [2, .. signature];
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
