using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>What <see cref="VoteHeader.TryRead"/> could tell from the first bytes of a vote.</summary>
public enum VoteHeaderStatus
{
    /// <summary>The period and the voter were read.</summary>
    Read = 1,

    /// <summary>The bytes so far end before the voter's <c>authority</c> line: read more.</summary>
    NeedMoreBytes,

    /// <summary>Not the start of a vote, or no <c>authority</c> line within <see cref="VoteHeader.MaxLength"/>.</summary>
    Malformed,
}

/// <summary>
/// The period and the claimed voter of a vote, read from its first lines only, so that an authority can refuse a vote
/// from anyone but a configured authority, or for another period, before it receives, buffers or parses the rest
/// (up to 16 MiB). Nothing here is verified: a vote that passes still goes through the full parser and its signature
/// check.
/// </summary>
/// <param name="ValidAfter">The period the vote claims to be for (its <c>valid-after</c>).</param>
/// <param name="Voter">The authority the vote claims to be from (its <c>authority</c> line, which the signature line
/// must match).</param>
public readonly record struct VoteHeader(DateTimeOffset ValidAfter, AuthorityId Voter)
{
    /// <summary>
    /// The voter's <c>authority</c> line must end within this many bytes of the start. The lines before it take
    /// under 9 KiB (the longest, <c>params</c>, is at most one 8 KiB line); the rest allows for <c>x-</c> lines.
    /// </summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>
    /// Reads the period and the voter from the start of a vote: the first line must be <c>hpc-vote 1</c>, and the
    /// first <c>valid-after</c> and <c>authority</c> lines must come before any relay entry and end within
    /// <see cref="MaxLength"/> bytes. Looks only at complete lines; never throws.
    /// </summary>
    public static VoteHeaderStatus TryRead(ReadOnlySpan<byte> head, out VoteHeader header)
    {
        header = default;
        var rest = head.Length > MaxLength ? head[..MaxLength] : head;
        DateTimeOffset? validAfter = null;
        Span<byte> key = stackalloc byte[Ed25519PublicKey.Length];
        var first = true;
        while (true)
        {
            var end = rest.IndexOf((byte)'\n');
            if (end < 0)
            {
                return head.Length >= MaxLength ? VoteHeaderStatus.Malformed : VoteHeaderStatus.NeedMoreBytes;
            }

            var line = rest[..end];
            rest = rest[(end + 1)..];
            var space = line.IndexOf((byte)' ');
            var keyword = space < 0 ? line : line[..space];
            var arguments = space < 0 ? default : line[(space + 1)..];
            if (first)
            {
                if (!line.SequenceEqual("hpc-vote 1"u8))
                {
                    return VoteHeaderStatus.Malformed;
                }

                first = false;
            }
            else if (keyword.SequenceEqual("valid-after"u8) && validAfter is null)
            {
                var cursor = new ArgumentCursor(arguments);
                if (!DocumentValues.TryParseTime(cursor.Next(), cursor.Next(), out var time))
                {
                    return VoteHeaderStatus.Malformed;
                }

                validAfter = time;
            }
            else if (keyword.SequenceEqual("authority"u8))
            {
                var cursor = new ArgumentCursor(arguments);
                if (validAfter is not { } period || !DocumentValues.TryDecodeBase64(cursor.Next(), key))
                {
                    return VoteHeaderStatus.Malformed;
                }

                header = new VoteHeader(period, new AuthorityId(Ed25519PublicKey.FromBytes(key)));
                return VoteHeaderStatus.Read;
            }
            else if (keyword.SequenceEqual("relay"u8) || keyword.SequenceEqual("directory-footer"u8) || keyword.SequenceEqual("directory-signature"u8))
            {
                return VoteHeaderStatus.Malformed;
            }
        }
    }
}
