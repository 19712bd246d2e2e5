using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.DirectoryAuthority.Hosting;

/// <summary>
/// The HTTP API's limits (docs/directory-authority.md §2): the largest body each endpoint reads, and how many requests
/// each serves at once, in all and per source (an IPv4 address or an IPv6 /64). A request over a limit is refused
/// before its body is read.
/// </summary>
internal static class DirectoryLimits
{
    /// <summary>A descriptor upload: one descriptor, 20,000 bytes.</summary>
    public const int DescriptorBody = RelayDescriptor.MaxSize;

    /// <summary>A signature upload: one <c>directory-signature</c> line.</summary>
    public const int SignatureBody = AuthorityState.MaxSignatureLine;

    /// <summary>
    /// The longest relay entry a vote can hold: <c>relay</c> with a 19-letter nickname, identity and digest (114
    /// bytes), 8 <c>a</c> lines of bracketed IPv6 addresses (8 × 50), <c>keys</c> (93), <c>family</c> with 64
    /// members (2,823), <c>s</c> with every flag (40) and <c>w</c> with a 10-digit weight (13): 3,483 bytes.
    /// </summary>
    public const int VoteEntryLength = 660 + FamilyLineLength;

    /// <summary>The longest <c>family</c> line: the keyword, then a space and 43 characters per member, then LF.</summary>
    private const int FamilyLineLength = 6 + (RelayFamily.MaxMembers * 44) + 1;

    /// <summary>Room in a vote for everything but the relay entries (under 9 KiB today), with room to spare for x- lines.</summary>
    public const int VoteHeaderAllowance = 64 * 1024;

    /// <summary>
    /// The largest vote read: a peer lists at most as many relays as an authority holds
    /// (<see cref="Descriptors.DescriptorStoreOptions.MaxRelays"/>, the same at every authority), so 64 KiB plus
    /// <see cref="VoteEntryLength"/> bytes per relay, and never more than the document limit (16 MiB, reached from
    /// 4,799 relays). Only a configured authority's vote for the pending period, not yet held, is read past its first
    /// lines.
    /// </summary>
    public static int VoteBody(int maxRelays) =>
        (int)Math.Min(NetworkStatus.MaxSize, VoteHeaderAllowance + ((long)maxRelays * VoteEntryLength));

    /// <summary>Descriptor uploads in progress: 64 at once, 4 per source.</summary>
    public static RequestGate DescriptorUploads() => new(64, 4);

    /// <summary><c>GET /hpc/descriptors</c> in progress: 8 at once, 2 per source (each holds a snapshot alive).</summary>
    public static RequestGate DescriptorListings() => new(8, 2);

    /// <summary>Vote uploads in progress: two per configured authority (at least 4) at once, 2 per source.</summary>
    public static RequestGate VoteUploads(int authorities) => new(Math.Max(4, 2 * authorities), 2);

    /// <summary>Signature uploads in progress: 32 at once, 4 per source.</summary>
    public static RequestGate SignatureUploads() => new(32, 4);
}
