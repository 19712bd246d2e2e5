using System.Globalization;
using System.Text.RegularExpressions;

namespace HiddenPoint.Crypto.Tests.HiddenPoints;

/// <summary>A valid address and the key it encodes, with the checksum and version when the file states them.</summary>
internal sealed record OnionAddressVector(int Line, string Address, byte[] PublicKey, byte[]? Checksum, byte? Version);

/// <summary>An address that must be refused for its checksum.</summary>
internal sealed record InvalidChecksumVector(int Line, string Name, string Address);

/// <summary>The inputs of an HSDir index vector, from the file's <c># Inputs:</c> comment.</summary>
internal sealed record HsIndexInputs(ulong PeriodNumber, uint PeriodLength, byte[] SharedRandom, byte[] BlindedKey, int Replica, byte[] NodeIdentity);

/// <summary>hs_service_index or hs_relay_index with its inputs.</summary>
internal sealed record HsIndexVector(int Line, bool IsServiceIndex, byte[] Expected, HsIndexInputs Inputs);

/// <summary>disaster_srv(length, number) = value.</summary>
internal sealed record DisasterSrvVector(int Line, uint PeriodLength, ulong PeriodNumber, byte[] Expected);

/// <summary>
/// Parser for onion_address*.txt: <c>#</c> comments, <c>key = value</c> lines, and records of several
/// <c>key = value</c> fields separated by <c> ; </c>. The HSDir index inputs come from the preceding
/// <c># Inputs: name = value, ...</c> comment, where a value is a number or <c>N x 0xHH</c> (N copies of a byte).
/// Anything else throws <see cref="FormatException"/>, so a file this parser does not understand fails its test.
/// </summary>
internal sealed partial class OnionAddressVectorFile
{
    public List<OnionAddressVector> Addresses { get; } = [];

    public List<InvalidChecksumVector> InvalidChecksums { get; } = [];

    public List<HsIndexVector> Indexes { get; } = [];

    public List<DisasterSrvVector> DisasterSrvs { get; } = [];

    public int Count => Addresses.Count + InvalidChecksums.Count + Indexes.Count + DisasterSrvs.Count;

    public static OnionAddressVectorFile Load(string path) => Parse(File.ReadAllText(path));

    public static OnionAddressVectorFile Parse(string text)
    {
        var file = new OnionAddressVectorFile();
        byte[]? pendingKey = null;
        var pendingKeyLine = 0;
        HsIndexInputs? inputs = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                var comment = line.TrimStart('#').Trim();
                if (comment.StartsWith("Inputs:", StringComparison.Ordinal))
                {
                    inputs = ParseInputs(comment["Inputs:".Length..], lineNumber);
                }

                continue;
            }

            var fields = SplitFields(line, lineNumber);
            if (fields.Count > 1)
            {
                file.Addresses.Add(ParseAddressRecord(fields, lineNumber));
                continue;
            }

            var (key, value) = fields[0];
            switch (key)
            {
                case "pubkey":
                    if (pendingKey is not null)
                    {
                        throw Error(lineNumber, "a second pubkey before the address of the first");
                    }

                    pendingKey = Hex(value, 32, lineNumber);
                    pendingKeyLine = lineNumber;
                    break;
                case "address":
                    if (pendingKey is null)
                    {
                        throw Error(lineNumber, "an address with no pubkey before it");
                    }

                    file.Addresses.Add(new OnionAddressVector(lineNumber, value, pendingKey, null, null));
                    pendingKey = null;
                    break;
                case "hs_service_index" or "hs_relay_index":
                    if (inputs is null)
                    {
                        throw Error(lineNumber, $"{key} with no '# Inputs:' comment before it");
                    }

                    file.Indexes.Add(new HsIndexVector(lineNumber, key == "hs_service_index", Hex(value, 32, lineNumber), inputs));
                    break;
                default:
                    if (key.StartsWith("invalid_checksum", StringComparison.Ordinal))
                    {
                        file.InvalidChecksums.Add(new InvalidChecksumVector(lineNumber, key, value));
                        break;
                    }

                    var disaster = DisasterKey().Match(key);
                    if (!disaster.Success)
                    {
                        throw Error(lineNumber, $"unknown key '{key}'");
                    }

                    file.DisasterSrvs.Add(new DisasterSrvVector(
                        lineNumber,
                        uint.Parse(disaster.Groups[1].Value, CultureInfo.InvariantCulture),
                        ulong.Parse(disaster.Groups[2].Value, CultureInfo.InvariantCulture),
                        Hex(value, 32, lineNumber)));
                    break;
            }
        }

        if (pendingKey is not null)
        {
            throw Error(pendingKeyLine, "a pubkey with no address after it");
        }

        if (file.Count == 0)
        {
            throw new FormatException("The file holds no vectors.");
        }

        return file;
    }

    private static OnionAddressVector ParseAddressRecord(List<(string Key, string Value)> fields, int line)
    {
        string? address = null;
        byte[]? key = null, checksum = null;
        byte? version = null;
        var valid = true;
        foreach (var (name, value) in fields)
        {
            switch (name)
            {
                case "address" when address is null:
                    address = value;
                    break;
                case "pubkey" when key is null:
                    key = Hex(value, 32, line);
                    break;
                case "checksum" when checksum is null:
                    checksum = Hex(value, 2, line);
                    break;
                case "version" when version is null:
                    version = Hex(value, 1, line)[0];
                    break;
                case "checksum_valid":
                    valid = value switch
                    {
                        "True" => true,
                        "False" => false,
                        _ => throw Error(line, $"checksum_valid must be True or False, not '{value}'"),
                    };
                    break;
                default:
                    throw Error(line, $"unknown or repeated field '{name}'");
            }
        }

        if (address is null || key is null)
        {
            throw Error(line, "a record needs both address and pubkey");
        }

        if (!valid)
        {
            throw Error(line, "checksum_valid = False records are not part of this format; use invalid_checksum_N");
        }

        return new OnionAddressVector(line, address, key, checksum, version);
    }

    private static HsIndexInputs ParseInputs(string text, int line)
    {
        ulong? number = null;
        uint? length = null;
        int? replica = null;
        byte[]? srv = null, blinded = null, node = null;
        foreach (var part in text.Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                throw Error(line, $"input '{part.Trim()}' has no '='");
            }

            var name = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            switch (name)
            {
                case "period_num":
                    number = ulong.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "period_length":
                    length = uint.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "replica":
                    replica = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "SRV":
                    srv = RepeatedByte(value, line);
                    break;
                case "blinded_pk":
                    blinded = RepeatedByte(value, line);
                    break;
                case "node ed25519 id":
                    node = RepeatedByte(value, line);
                    break;
                default:
                    throw Error(line, $"unknown input '{name}'");
            }
        }

        if (number is null || length is null || replica is null || srv is null || blinded is null || node is null)
        {
            throw Error(line, "Inputs needs period_num, period_length, SRV, blinded_pk, replica and node ed25519 id");
        }

        return new HsIndexInputs(number.Value, length.Value, srv, blinded, replica.Value, node);
    }

    // "32 x 0x43": 32 copies of the byte 0x43.
    private static byte[] RepeatedByte(string value, int line)
    {
        var match = RepeatedBytePattern().Match(value);
        if (!match.Success)
        {
            throw Error(line, $"'{value}' is not 'N x 0xHH'");
        }

        var count = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var b = byte.Parse(match.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return Enumerable.Repeat(b, count).ToArray();
    }

    private static List<(string Key, string Value)> SplitFields(string line, int lineNumber)
    {
        var fields = new List<(string, string)>();
        foreach (var field in line.Split(" ; "))
        {
            var equals = field.IndexOf(" = ", StringComparison.Ordinal);
            if (equals < 0)
            {
                throw Error(lineNumber, $"'{field}' is not 'key = value'");
            }

            fields.Add((field[..equals].Trim(), field[(equals + 3)..].Trim()));
        }

        return fields;
    }

    internal static byte[] Hex(string value, int length, int line)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(value);
        }
        catch (FormatException)
        {
            throw Error(line, $"'{value}' is not hex");
        }

        return bytes.Length == length ? bytes : throw Error(line, $"expected {length} bytes, got {bytes.Length}");
    }

    internal static FormatException Error(int line, string message) => new($"line {line}: {message}");

    [GeneratedRegex(@"^disaster_srv\((\d+),\s*(\d+)\)$")]
    private static partial Regex DisasterKey();

    [GeneratedRegex(@"^(\d+) x 0x([0-9a-fA-F]{2})$")]
    private static partial Regex RepeatedBytePattern();
}
