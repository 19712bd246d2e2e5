using System.Text;

namespace HiddenPoint.Protocol.Documents;

/// <summary>One sub-protocol a relay speaks and the versions of it (0–63) it supports.</summary>
/// <param name="Name">The sub-protocol, 1–16 ASCII letters and digits starting with a letter (e.g. <c>Link</c>).</param>
/// <param name="Versions">Bit <c>v</c> set when version <c>v</c> is supported; never zero.</param>
public readonly record struct ProtocolVersions(string Name, ulong Versions)
{
    /// <summary>True when version <paramref name="version"/> is supported.</summary>
    public bool Supports(int version) => version is >= 0 and < 64 && (Versions & (1UL << version)) != 0;
}

/// <summary>
/// The sub-protocols a relay supports, as its descriptor's <c>protocols</c> line lists them:
/// <c>Name=ranges</c> entries sorted by name, each range list ascending with adjacent versions merged
/// (<c>Link=1-2 Relay=1,3-5</c>).
/// </summary>
public sealed class ProtocolSupport
{
    /// <summary>At most this many sub-protocols.</summary>
    public const int MaxEntries = 32;

    /// <summary>The longest sub-protocol name.</summary>
    public const int MaxNameLength = 16;

    private readonly ProtocolVersions[] _entries;

    /// <summary>Creates a list from entries in any order.</summary>
    /// <exception cref="ArgumentException">A bad or repeated name, an empty version set, or too many entries.</exception>
    public ProtocolSupport(IEnumerable<ProtocolVersions> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToArray();
        if (list.Length is 0 or > MaxEntries)
        {
            throw new ArgumentException($"A protocol list has 1 to {MaxEntries} entries.", nameof(entries));
        }

        Array.Sort(list, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (var i = 0; i < list.Length; i++)
        {
            if (!IsName(list[i].Name) || list[i].Versions == 0)
            {
                throw new ArgumentException($"Protocol entry '{list[i].Name}' is not a name with at least one version.", nameof(entries));
            }

            if (i > 0 && list[i].Name == list[i - 1].Name)
            {
                throw new ArgumentException($"Protocol '{list[i].Name}' is listed twice.", nameof(entries));
            }
        }

        _entries = list;
    }

    private ProtocolSupport(ProtocolVersions[] sorted) => _entries = sorted;

    /// <summary>The entries, sorted by name.</summary>
    public IReadOnlyList<ProtocolVersions> Entries => _entries;

    /// <summary>True when <paramref name="name"/> version <paramref name="version"/> is supported.</summary>
    public bool Supports(string name, int version)
    {
        foreach (var entry in _entries)
        {
            if (entry.Name == name)
            {
                return entry.Supports(version);
            }
        }

        return false;
    }

    /// <summary>The line's arguments, canonical.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        foreach (var entry in _entries)
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(entry.Name).Append('=');
            var first = true;
            var v = 0;
            while (v < 64)
            {
                if ((entry.Versions & (1UL << v)) == 0)
                {
                    v++;
                    continue;
                }

                var end = v;
                while (end + 1 < 64 && (entry.Versions & (1UL << (end + 1))) != 0)
                {
                    end++;
                }

                builder.Append(first ? "" : ",").Append(v);
                if (end > v)
                {
                    builder.Append('-').Append(end);
                }

                first = false;
                v = end + 1;
            }
        }

        return builder.ToString();
    }

    /// <summary>Parses the arguments of a <c>protocols</c> line; only the canonical form is accepted.</summary>
    internal static bool TryParse(DocumentLine line, out ProtocolSupport? support)
    {
        support = null;
        if (line.ArgumentCount is 0 or > MaxEntries)
        {
            return false;
        }

        var entries = new ProtocolVersions[line.ArgumentCount];
        var cursor = line.Cursor();
        ReadOnlySpan<byte> previous = default;
        for (var i = 0; i < entries.Length; i++)
        {
            var argument = cursor.Next();
            var equals = argument.IndexOf((byte)'=');
            if (equals <= 0)
            {
                return false;
            }

            var name = argument[..equals];
            if (!IsName(name) || (i > 0 && name.SequenceCompareTo(previous) <= 0) ||
                !TryParseVersions(argument[(equals + 1)..], out var versions))
            {
                return false;
            }

            previous = name;
            entries[i] = new ProtocolVersions(Encoding.ASCII.GetString(name), versions);
        }

        support = new ProtocolSupport(entries);
        return true;
    }

    private static bool TryParseVersions(ReadOnlySpan<byte> text, out ulong versions)
    {
        versions = 0;
        var next = 0; // the lowest version the next range may start at: ranges ascend with a gap of at least one
        if (text.IsEmpty)
        {
            return false;
        }

        while (true)
        {
            var comma = text.IndexOf((byte)',');
            var item = comma < 0 ? text : text[..comma];
            var dash = item.IndexOf((byte)'-');
            ulong low, high;
            if (dash < 0)
            {
                if (!DocumentValues.TryParseUInt(item, 63, out low))
                {
                    return false;
                }

                high = low;
            }
            else if (!DocumentValues.TryParseUInt(item[..dash], 63, out low) ||
                     !DocumentValues.TryParseUInt(item[(dash + 1)..], 63, out high) || high <= low)
            {
                return false;
            }

            if ((int)low < next)
            {
                return false;
            }

            for (var v = (int)low; v <= (int)high; v++)
            {
                versions |= 1UL << v;
            }

            next = (int)high + 2;
            if (comma < 0)
            {
                return true;
            }

            text = text[(comma + 1)..];
        }
    }

    private static bool IsName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength || name[0] is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
        {
            return false;
        }

        foreach (var b in name)
        {
            if (!DocumentValues.IsAlphanumeric(b))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(c => c > 0x7F))
        {
            return false;
        }

        return IsName(Encoding.ASCII.GetBytes(name));
    }
}
