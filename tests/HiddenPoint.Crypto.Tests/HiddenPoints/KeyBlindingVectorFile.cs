using System.Globalization;
using System.Text.RegularExpressions;

namespace HiddenPoint.Crypto.Tests.HiddenPoints;

/// <summary>Section (A): blinding for a time period, end to end.</summary>
internal sealed record PeriodBlindingVector(
    ulong PeriodNumber,
    DateTimeOffset Instant,
    uint PeriodLengthMinutes,
    uint RotationOffsetMinutes,
    byte[] Secret,
    byte[] IdentityKey,
    byte[] ExpandedSecret,
    byte[] Factor,
    byte[] BlindedKey,
    byte[] Subcredential,
    byte[] BlindedExpandedSecret);

/// <summary>Section (B): one raw vector, a seed blinded with a given factor.</summary>
internal sealed record RawBlindingVector(
    int Line,
    string Name,
    byte[] Seed,
    byte[] ExpandedSecret,
    byte[] PublicKey,
    byte[]? Curve25519PublicKey,
    byte[] Factor,
    byte[] BlindedExpandedSecret,
    byte[] BlindedPublicKey,
    byte[]? SelfSignature);

/// <summary>
/// Parser for key_blinding*.txt. Values are <c>name (description) = hex</c> lines. Lines before the first
/// <c>--- vector N</c> make section (A), whose parameters come from its <c># Parameters:</c> comments ("time period
/// num = N", "instant YYYY-MM-DD hh:mm:ss UTC", "period length N min", "rotation offset N h",
/// "s (optional secret) = empty|hex"); each <c>--- vector N</c> starts a section (B) vector. Unknown, repeated or
/// missing names, bad hex, and a file without vectors throw <see cref="FormatException"/>.
/// </summary>
internal sealed partial class KeyBlindingVectorFile
{
    private static readonly string[] s_periodNames = ["A", "a", "h", "A'", "N_hs_subcred", "a'"];
    private static readonly string[] s_rawRequired =
        ["seed", "expanded_secret", "public", "blinding_param_h", "blinded_expanded_secret", "blinded_public"];

    private static readonly string[] s_rawOptional = ["curve25519_public", "self_signature"];

    public PeriodBlindingVector? Period { get; private set; }

    public List<RawBlindingVector> Raw { get; } = [];

    public static KeyBlindingVectorFile Load(string path) => Parse(File.ReadAllText(path));

    public static KeyBlindingVectorFile Parse(string text)
    {
        var file = new KeyBlindingVectorFile();
        var periodValues = new Dictionary<string, string>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        Dictionary<string, string>? vector = null;
        string? vectorName = null;
        var vectorLine = 0;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("---", StringComparison.Ordinal))
            {
                file.AddRaw(vector, vectorName, vectorLine);
                vectorName = line.TrimStart('-').Trim();
                if (vectorName.Length == 0)
                {
                    throw OnionAddressVectorFile.Error(lineNumber, "a vector separator without a name");
                }

                vector = new Dictionary<string, string>(StringComparer.Ordinal);
                vectorLine = lineNumber;
                continue;
            }

            if (line[0] == '#')
            {
                if (vector is null)
                {
                    CollectParameters(line, parameters);
                }

                continue;
            }

            var equals = line.IndexOf(" = ", StringComparison.Ordinal);
            if (equals < 0)
            {
                throw OnionAddressVectorFile.Error(lineNumber, $"'{line}' is not 'name = value'");
            }

            var left = line[..equals];
            var paren = left.IndexOf(" (", StringComparison.Ordinal);
            var name = (paren < 0 ? left : left[..paren]).Trim();
            var value = line[(equals + 3)..].Trim();
            var target = vector ?? periodValues;
            var known = vector is null ? s_periodNames : [.. s_rawRequired, .. s_rawOptional];
            if (!known.Contains(name))
            {
                throw OnionAddressVectorFile.Error(lineNumber, $"unknown name '{name}'");
            }

            if (!target.TryAdd(name, value))
            {
                throw OnionAddressVectorFile.Error(lineNumber, $"'{name}' given twice");
            }

            _ = OnionAddressVectorFile.Hex(value, value.Length / 2, lineNumber);
        }

        file.AddRaw(vector, vectorName, vectorLine);
        if (periodValues.Count > 0)
        {
            file.Period = ParsePeriod(periodValues, parameters);
        }

        if (file.Period is null && file.Raw.Count == 0)
        {
            throw new FormatException("The file holds no vectors.");
        }

        return file;
    }

    private void AddRaw(Dictionary<string, string>? values, string? name, int line)
    {
        if (values is null)
        {
            return;
        }

        foreach (var required in s_rawRequired)
        {
            if (!values.ContainsKey(required))
            {
                throw OnionAddressVectorFile.Error(line, $"vector '{name}' lacks '{required}'");
            }
        }

        byte[]? Optional(string key, int length) =>
            values.TryGetValue(key, out var v) ? OnionAddressVectorFile.Hex(v, length, line) : null;

        Raw.Add(new RawBlindingVector(
            line,
            name!,
            OnionAddressVectorFile.Hex(values["seed"], 32, line),
            OnionAddressVectorFile.Hex(values["expanded_secret"], 64, line),
            OnionAddressVectorFile.Hex(values["public"], 32, line),
            Optional("curve25519_public", 32),
            OnionAddressVectorFile.Hex(values["blinding_param_h"], 32, line),
            OnionAddressVectorFile.Hex(values["blinded_expanded_secret"], 64, line),
            OnionAddressVectorFile.Hex(values["blinded_public"], 32, line),
            Optional("self_signature", 64)));
    }

    private static void CollectParameters(string comment, Dictionary<string, string> parameters)
    {
        void Take(Regex pattern, string key)
        {
            var match = pattern.Match(comment);
            if (match.Success && !parameters.ContainsKey(key))
            {
                parameters[key] = match.Groups[1].Value;
            }
        }

        Take(PeriodNumberPattern(), "number");
        Take(InstantPattern(), "instant");
        Take(PeriodLengthPattern(), "length");
        Take(RotationOffsetPattern(), "offset");
        Take(SecretPattern(), "secret");
    }

    private static PeriodBlindingVector ParsePeriod(Dictionary<string, string> values, Dictionary<string, string> parameters)
    {
        foreach (var name in s_periodNames)
        {
            if (!values.ContainsKey(name))
            {
                throw new FormatException($"section (A) lacks '{name}'");
            }
        }

        foreach (var key in new[] { "number", "instant", "length", "offset", "secret" })
        {
            if (!parameters.ContainsKey(key))
            {
                throw new FormatException($"section (A) lacks the parameter '{key}' in its comments");
            }
        }

        var secret = parameters["secret"] == "empty" ? [] : Convert.FromHexString(parameters["secret"]);
        return new PeriodBlindingVector(
            ulong.Parse(parameters["number"], CultureInfo.InvariantCulture),
            DateTimeOffset.ParseExact(
                parameters["instant"], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            uint.Parse(parameters["length"], CultureInfo.InvariantCulture),
            uint.Parse(parameters["offset"], CultureInfo.InvariantCulture) * 60,
            secret,
            OnionAddressVectorFile.Hex(values["A"], 32, 0),
            OnionAddressVectorFile.Hex(values["a"], 64, 0),
            OnionAddressVectorFile.Hex(values["h"], 32, 0),
            OnionAddressVectorFile.Hex(values["A'"], 32, 0),
            OnionAddressVectorFile.Hex(values["N_hs_subcred"], 32, 0),
            OnionAddressVectorFile.Hex(values["a'"], 64, 0));
    }

    [GeneratedRegex(@"time period num = (\d+)")]
    private static partial Regex PeriodNumberPattern();

    [GeneratedRegex(@"instant (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC")]
    private static partial Regex InstantPattern();

    [GeneratedRegex(@"period length (\d+) min")]
    private static partial Regex PeriodLengthPattern();

    [GeneratedRegex(@"rotation offset (\d+) h")]
    private static partial Regex RotationOffsetPattern();

    [GeneratedRegex(@"s \(optional secret\) = (empty|[0-9a-fA-F]+)")]
    private static partial Regex SecretPattern();
}
