using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// Relay families (docs/directory-documents.md §2.1): a relay declares, in its signed descriptor, the other relays
/// its operator runs; votes and the consensus copy that declaration into the relay's entry. Two relays are one family
/// only when <b>each declares the other</b>, so a relay can leave a family alone but can never put itself into
/// someone else's (which would let it keep clients off an honest operator's relays). A client never puts two relays
/// of one family on one circuit.
/// </summary>
public static class RelayFamily
{
    /// <summary>
    /// Most relays one family line may name. Every vote and consensus entry copies the line (up to 2,823 bytes at
    /// this limit), so the limit bounds how much one relay can grow the documents every client fetches.
    /// </summary>
    public const int MaxMembers = 64;

    /// <summary>
    /// Whether <paramref name="a"/> and <paramref name="b"/> are one family: the same relay, or each names the other
    /// in its family. A path that refuses family members therefore also refuses the same relay twice.
    /// </summary>
    public static bool AreFamily(RelayStatus a, RelayStatus b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Id == b.Id || (Declares(a, b.Id) && Declares(b, a.Id));
    }

    /// <summary>
    /// Whether <paramref name="relay"/>'s entry names <paramref name="other"/> in its family. One side's word only:
    /// use <see cref="AreFamily"/> for path selection.
    /// </summary>
    public static bool Declares(RelayStatus relay, RelayId other)
    {
        ArgumentNullException.ThrowIfNull(relay);
        return Contains(relay.Family, other);
    }

    /// <summary>Orders relay ids as family lines, votes and the consensus do: by the identity's key bytes.</summary>
    public static int Compare(RelayId a, RelayId b) => a.Key.Bytes.SequenceCompareTo(b.Key.Bytes);

    /// <summary>
    /// The canonical form of a family for <paramref name="self"/>: sorted by key bytes. Throws when it names more
    /// than <see cref="MaxMembers"/> relays, a relay twice, or <paramref name="self"/>.
    /// </summary>
    internal static RelayId[] Canonical(IReadOnlyList<RelayId> family, RelayId self, string name)
    {
        ArgumentNullException.ThrowIfNull(family, name);
        if (family.Count > MaxMembers)
        {
            throw new ArgumentException($"{name}: a family names at most {MaxMembers} other relays, not {family.Count}.", name);
        }

        var sorted = family.ToArray();
        foreach (var member in sorted)
        {
            if (member == self)
            {
                throw new ArgumentException($"{name}: a relay is not a member of its own family.", name);
            }
        }

        Array.Sort(sorted, Compare);
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] == sorted[i - 1])
            {
                throw new ArgumentException($"{name}: the relay {sorted[i]} is named twice.", name);
            }
        }

        return sorted;
    }

    /// <summary>
    /// Reads a <c>family</c> line's arguments (its count already checked against the keyword rule): each a relay id
    /// in canonical base64, strictly ascending by key bytes, none equal to <paramref name="self"/>.
    /// </summary>
    internal static bool TryParse(DocumentLine line, RelayId self, out RelayId[] family, out DocumentErrorKind error)
    {
        family = new RelayId[line.ArgumentCount];
        var args = line.Cursor();
        Span<byte> key = stackalloc byte[Ed25519PublicKey.Length];
        for (var i = 0; i < family.Length; i++)
        {
            if (!DocumentValues.TryDecodeBase64(args.Next(), key))
            {
                error = DocumentErrorKind.BadBase64;
                return false;
            }

            if (i > 0)
            {
                var order = ((ReadOnlySpan<byte>)key).SequenceCompareTo(family[i - 1].Key.Bytes);
                if (order <= 0)
                {
                    error = order == 0 ? DocumentErrorKind.DuplicateEntry : DocumentErrorKind.NotSorted;
                    return false;
                }
            }

            if (self.Key.Bytes.SequenceEqual(key))
            {
                error = DocumentErrorKind.SelfInFamily;
                return false;
            }

            family[i] = new RelayId(Ed25519PublicKey.FromBytes(key));
        }

        error = default;
        return true;
    }

    /// <summary>Writes the <c>family</c> line of a sorted, non-empty family; writes nothing for an empty one.</summary>
    internal static void Write(DocumentWriter writer, IReadOnlyList<RelayId> sortedFamily)
    {
        if (sortedFamily.Count == 0)
        {
            return;
        }

        writer.Keyword("family");
        foreach (var member in sortedFamily)
        {
            writer.Base64(member.Key.Bytes);
        }

        writer.EndLine();
    }

    private static bool Contains(IReadOnlyList<RelayId> sortedFamily, RelayId id)
    {
        int low = 0, high = sortedFamily.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var order = Compare(sortedFamily[middle], id);
            if (order == 0)
            {
                return true;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return false;
    }
}
