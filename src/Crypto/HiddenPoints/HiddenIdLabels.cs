using System.Text;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// The network-specific constants of the hidden-id encoding (rend-spec-v3 §6 [ONIONADDRESS]): the checksum label,
/// the version byte and the display suffix. <see cref="Tor"/> reproduces Tor's v3 onion addresses; <see cref="Hpc"/>
/// is HiddenPoint's, so that an id of one network never parses on the other.
/// </summary>
public sealed class HiddenIdLabels
{
    private readonly byte[] _checksumLabel;

    /// <summary>Creates a label set.</summary>
    /// <param name="checksumLabel">ASCII string hashed before the key, e.g. <c>.hpc checksum</c> (at most 64 bytes).</param>
    /// <param name="version">The version byte.</param>
    /// <param name="suffix">The display suffix including its dot, e.g. <c>.hpc</c>; lower case.</param>
    public HiddenIdLabels(string checksumLabel, byte version, string suffix)
    {
        ArgumentNullException.ThrowIfNull(checksumLabel);
        ArgumentNullException.ThrowIfNull(suffix);
        if (checksumLabel.Length is 0 or > MaxLabelLength || !Ascii.IsValid(checksumLabel))
        {
            throw new ArgumentException($"The checksum label must be 1 to {MaxLabelLength} ASCII characters.", nameof(checksumLabel));
        }

        if (suffix.Length < 2 || suffix[0] != '.' || !Ascii.IsValid(suffix) || suffix.AsSpan().ContainsAnyInRange('A', 'Z'))
        {
            throw new ArgumentException("The suffix must be a dot followed by lower-case ASCII.", nameof(suffix));
        }

        _checksumLabel = Encoding.ASCII.GetBytes(checksumLabel);
        Version = version;
        Suffix = suffix;
    }

    /// <summary>The longest checksum label accepted, in bytes.</summary>
    public const int MaxLabelLength = 64;

    /// <summary>Tor v3 onion addresses: <c>.onion checksum</c>, version 3, <c>.onion</c>.</summary>
    public static HiddenIdLabels Tor { get; } = new(".onion checksum", 3, ".onion");

    /// <summary>HiddenPoint hidden-ids: <c>.hpc checksum</c>, version 1, <c>.hpc</c>.</summary>
    public static HiddenIdLabels Hpc { get; } = new(".hpc checksum", 1, ".hpc");

    /// <summary>The checksum label as ASCII bytes.</summary>
    public ReadOnlySpan<byte> ChecksumLabel => _checksumLabel;

    /// <summary>The version byte, the last byte of the decoded id.</summary>
    public byte Version { get; }

    /// <summary>The display suffix, e.g. <c>.hpc</c>; optional on input.</summary>
    public string Suffix { get; }
}
