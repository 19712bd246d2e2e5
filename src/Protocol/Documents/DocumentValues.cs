using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// Parsers and formatters for the value types documents carry. Parsers accept exactly one spelling of each value
/// (the one the writer produces), so that a parsed document re-encodes to the same bytes and two parties can never
/// disagree about what a line says.
/// </summary>
internal static class DocumentValues
{
    public const int MaxNicknameLength = 19;
    public const int MaxSoftwareLength = 64;
    public const int MinYear = 2000;
    public const int MaxYear = 9999;

    /// <summary>Length of the unpadded base64 text for <paramref name="byteCount"/> bytes.</summary>
    public static int Base64Length(int byteCount) => ((byteCount * 4) + 2) / 3;

    /// <summary>Decodes canonical unpadded standard base64 of exactly <c>destination.Length</c> bytes.</summary>
    public static bool TryDecodeBase64(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        if (text.Length != Base64Length(destination.Length))
        {
            return false;
        }

        var output = 0;
        var i = 0;
        for (; i + 4 <= text.Length; i += 4)
        {
            int a = Sextet(text[i]), b = Sextet(text[i + 1]), c = Sextet(text[i + 2]), d = Sextet(text[i + 3]);
            if ((a | b | c | d) < 0)
            {
                return false;
            }

            var group = (a << 18) | (b << 12) | (c << 6) | d;
            destination[output++] = (byte)((group >> 16) & 0xFF);
            destination[output++] = (byte)((group >> 8) & 0xFF);
            destination[output++] = (byte)(group & 0xFF);
        }

        var tail = text.Length - i;
        if (tail == 2)
        {
            int a = Sextet(text[i]), b = Sextet(text[i + 1]);
            if ((a | b) < 0 || (b & 0x0F) != 0)
            {
                return false; // the unused low bits must be zero, or one value would have several spellings
            }

            destination[output] = (byte)((a << 2) | (b >> 4));
        }
        else if (tail == 3)
        {
            int a = Sextet(text[i]), b = Sextet(text[i + 1]), c = Sextet(text[i + 2]);
            if ((a | b | c) < 0 || (c & 0x03) != 0)
            {
                return false;
            }

            destination[output++] = (byte)((a << 2) | (b >> 4));
            destination[output] = (byte)(((b << 4) | (c >> 2)) & 0xFF);
        }

        return true;
    }

    private static int Sextet(byte c) => c switch
    {
        >= (byte)'A' and <= (byte)'Z' => c - 'A',
        >= (byte)'a' and <= (byte)'z' => c - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => c - '0' + 52,
        (byte)'+' => 62,
        (byte)'/' => 63,
        _ => -1,
    };

    /// <summary>Parses the two arguments <c>YYYY-MM-DD</c> and <c>HH:MM:SS</c> as a UTC time.</summary>
    public static bool TryParseTime(ReadOnlySpan<byte> date, ReadOnlySpan<byte> time, out DateTimeOffset value)
    {
        value = default;
        if (date.Length != 10 || time.Length != 8 || date[4] != (byte)'-' || date[7] != (byte)'-' ||
            time[2] != (byte)':' || time[5] != (byte)':')
        {
            return false;
        }

        if (!TryDigits(date[..4], out var year) || !TryDigits(date.Slice(5, 2), out var month) ||
            !TryDigits(date.Slice(8, 2), out var day) || !TryDigits(time[..2], out var hour) ||
            !TryDigits(time.Slice(3, 2), out var minute) || !TryDigits(time.Slice(6, 2), out var second))
        {
            return false;
        }

        if (year is < MinYear or > MaxYear || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) ||
            hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    /// <summary>Canonical unsigned decimal: no sign, no leading zero (except "0" itself), at most <paramref name="max"/>.</summary>
    public static bool TryParseUInt(ReadOnlySpan<byte> text, ulong max, out ulong value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 20 || (text[0] == (byte)'0' && text.Length > 1))
        {
            return false;
        }

        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            var digit = (ulong)(b - '0');
            if (digit > max || value > (max - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    /// <summary>Canonical signed 32-bit decimal: an optional '-', no leading zeros, no "-0".</summary>
    public static bool TryParseInt32(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        var negative = !text.IsEmpty && text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (!TryParseUInt(digits, negative ? 2147483648UL : int.MaxValue, out var magnitude) || (negative && magnitude == 0))
        {
            return false;
        }

        value = negative ? (int)(0 - (long)magnitude) : (int)magnitude;
        return true;
    }

    /// <summary>1–19 ASCII letters and digits.</summary>
    public static bool IsNickname(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || text.Length > MaxNicknameLength)
        {
            return false;
        }

        foreach (var b in text)
        {
            if (!IsAlphanumeric(b))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc cref="IsNickname(ReadOnlySpan{byte})"/>
    public static bool IsNickname(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxNicknameLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c > 0x7F || !IsAlphanumeric((byte)c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>1–64 characters from <c>A–Z a–z 0–9 . _ + / -</c>.</summary>
    public static bool IsSoftware(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || text.Length > MaxSoftwareLength)
        {
            return false;
        }

        foreach (var b in text)
        {
            if (!IsAlphanumeric(b) && b is not ((byte)'.' or (byte)'_' or (byte)'+' or (byte)'/' or (byte)'-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc cref="IsSoftware(ReadOnlySpan{byte})"/>
    public static bool IsSoftware(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxSoftwareLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[MaxSoftwareLength];
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 0x7F)
            {
                return false;
            }

            bytes[i] = (byte)text[i];
        }

        return IsSoftware(bytes[..text.Length]);
    }

    public static bool IsAlphanumeric(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9');

    /// <summary>
    /// Parses <c>a.b.c.d:port</c> or <c>[ipv6]:port</c> in canonical form: IPv4 without leading zeros, IPv6 lowercase and
    /// compressed exactly as RFC 5952 (what <see cref="IPAddress.ToString"/> prints), no zone, no IPv4-mapped form,
    /// port 1–65535, and not an unspecified address.
    /// </summary>
    public static bool TryParseAddress(ReadOnlySpan<byte> text, out RelayAddress address)
    {
        address = default;
        var colon = text.LastIndexOf((byte)':');
        if (colon <= 0 || !TryParseUInt(text[(colon + 1)..], ushort.MaxValue, out var port) || port == 0)
        {
            return false;
        }

        var host = text[..colon];
        IPAddress ip;
        if (host[0] == (byte)'[')
        {
            if (host.Length < 4 || host[^1] != (byte)']' || host.Length - 2 > 39)
            {
                return false;
            }

            var inner = host[1..^1];
            Span<char> chars = stackalloc char[39];
            for (var i = 0; i < inner.Length; i++)
            {
                var b = inner[i];
                if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (byte)':'))
                {
                    return false; // no uppercase, no dotted tail, no zone: one spelling per address
                }

                chars[i] = (char)b;
            }

            if (!IPAddress.TryParse(chars[..inner.Length], out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6 ||
                parsed.IsIPv4MappedToIPv6 || parsed.Equals(IPAddress.IPv6None))
            {
                return false;
            }

            Span<char> canonical = stackalloc char[64];
            if (!parsed.TryFormat(canonical, out var written) || !canonical[..written].SequenceEqual(chars[..inner.Length]))
            {
                return false;
            }

            ip = parsed;
        }
        else
        {
            if (!TryParseIPv4(host, out var v4))
            {
                return false;
            }

            ip = v4;
        }

        address = new RelayAddress(ip, (ushort)port);
        return true;
    }

    private static bool TryParseIPv4(ReadOnlySpan<byte> text, out IPAddress address)
    {
        address = IPAddress.None;
        Span<byte> octets = stackalloc byte[4];
        var rest = text;
        for (var i = 0; i < 4; i++)
        {
            var dot = rest.IndexOf((byte)'.');
            var part = i < 3 ? (dot < 0 ? default : rest[..dot]) : rest;
            if (i < 3 && dot < 0)
            {
                return false;
            }

            if (part.Length > 3 || !TryParseUInt(part, 255, out var octet))
            {
                return false;
            }

            octets[i] = (byte)octet;
            rest = i < 3 ? rest[(dot + 1)..] : default;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(octets) == 0)
        {
            return false; // 0.0.0.0 names no host
        }

        address = new IPAddress(octets);
        return true;
    }

    /// <summary>Writes a time as the two arguments <c>YYYY-MM-DD HH:MM:SS</c>.</summary>
    public static string FormatTime(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return $"{utc.Year:D4}-{utc.Month:D2}-{utc.Day:D2} {utc.Hour:D2}:{utc.Minute:D2}:{utc.Second:D2}";
    }

    /// <summary>Unpadded standard base64.</summary>
    public static string FormatBase64(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    /// <summary>Seconds since the Unix epoch, for the fixed-width encodings that certificates sign.</summary>
    public static long UnixSeconds(DateTimeOffset time) => time.ToUnixTimeSeconds();
}
