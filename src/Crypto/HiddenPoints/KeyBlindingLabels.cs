using System.Text;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// The strings that key blinding (rend-spec-v3 appendix A.2 [KEYBLIND]) and the subcredential ([SUBCRED]) hash.
/// <see cref="Tor"/> reproduces Tor's vectors; <see cref="Hpc"/> gives HiddenPoint its own blinded keys, so the same
/// identity key blinds differently on the two networks.
/// </summary>
public sealed class KeyBlindingLabels
{
    private readonly byte[] _blinding;
    private readonly byte[] _signingKeyHashInput;
    private readonly byte[] _credential;
    private readonly byte[] _subcredential;

    /// <summary>Creates a label set; each label is non-empty ASCII of at most 64 characters.</summary>
    /// <param name="blinding">BLIND_STRING without its terminating zero byte, which the construction appends.</param>
    /// <param name="signingKeyHashInput">Hashed before RH to derive the second half of the blinded expanded secret.</param>
    /// <param name="credential">Prefix of N_hs_cred = H(credential | KP_hs_id).</param>
    /// <param name="subcredential">Prefix of N_hs_subcred = H(subcredential | N_hs_cred | KP_hs_blind_id).</param>
    public KeyBlindingLabels(string blinding, string signingKeyHashInput, string credential, string subcredential)
    {
        _blinding = ToAscii(blinding, nameof(blinding));
        _signingKeyHashInput = ToAscii(signingKeyHashInput, nameof(signingKeyHashInput));
        _credential = ToAscii(credential, nameof(credential));
        _subcredential = ToAscii(subcredential, nameof(subcredential));
    }

    /// <summary>The longest label accepted, in bytes.</summary>
    public const int MaxLabelLength = 64;

    /// <summary>Tor's labels (rend-spec-v3).</summary>
    public static KeyBlindingLabels Tor { get; } = new(
        "Derive temporary signing key",
        "Derive temporary signing key hash input",
        "credential",
        "subcredential");

    /// <summary>HiddenPoint's labels.</summary>
    public static KeyBlindingLabels Hpc { get; } = new(
        "hpc derive blinded key",
        "hpc derive blinded key hash input",
        "hpc credential",
        "hpc subcredential");

    /// <summary>BLIND_STRING without its terminating zero byte.</summary>
    public ReadOnlySpan<byte> Blinding => _blinding;

    /// <summary>The prefix hashed with RH into the second half of the blinded expanded secret.</summary>
    public ReadOnlySpan<byte> SigningKeyHashInput => _signingKeyHashInput;

    /// <summary>The prefix of N_hs_cred.</summary>
    public ReadOnlySpan<byte> Credential => _credential;

    /// <summary>The prefix of N_hs_subcred.</summary>
    public ReadOnlySpan<byte> Subcredential => _subcredential;

    private static byte[] ToAscii(string label, string name)
    {
        ArgumentNullException.ThrowIfNull(label, name);
        if (label.Length is 0 or > MaxLabelLength || !Ascii.IsValid(label))
        {
            throw new ArgumentException($"A label must be 1 to {MaxLabelLength} ASCII characters.", name);
        }

        return Encoding.ASCII.GetBytes(label);
    }
}
