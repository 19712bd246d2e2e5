using System.Text;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The PROTOID of hs_ntor (rend-spec-v3 §3.3, [NTOR-WITH-EXTRA-DATA]) and the tweaks derived from it:
/// <c>t_hsenc</c>, <c>t_hsverify</c>, <c>t_hsmac</c> and <c>m_hsexpand</c>. Immutable.
/// </summary>
public sealed class HsNtorLabels
{
    /// <summary>Longest accepted PROTOID, so every hash input fits a stack buffer.</summary>
    public const int MaxLabelLength = 128;

    private readonly byte[] _protocolId;

    /// <summary>Labels for <paramref name="protocolId"/>.</summary>
    /// <exception cref="ArgumentException">PROTOID is empty or over <see cref="MaxLabelLength"/> bytes.</exception>
    public HsNtorLabels(ReadOnlySpan<byte> protocolId)
    {
        if (protocolId.IsEmpty || protocolId.Length > MaxLabelLength)
        {
            throw new ArgumentException($"PROTOID must be 1 to {MaxLabelLength} bytes.", nameof(protocolId));
        }

        _protocolId = protocolId.ToArray();
        KeyExtractTweak = Tweak(":hs_key_extract");
        VerifyTweak = Tweak(":hs_verify");
        MacTweak = Tweak(":hs_mac");
        KeyExpandTweak = Tweak(":hs_key_expand");
    }

    /// <summary>Tor's labels: PROTOID <c>tor-hs-ntor-curve25519-sha3-256-1</c>.</summary>
    public static HsNtorLabels Tor { get; } = new("tor-hs-ntor-curve25519-sha3-256-1"u8);

    /// <summary>HiddenPoint's labels (DESIGN §2): PROTOID <c>hpc-hs-ntor-curve25519-sha3-256-1</c>.</summary>
    public static HsNtorLabels Hpc { get; } = new("hpc-hs-ntor-curve25519-sha3-256-1"u8);

    /// <summary>PROTOID.</summary>
    public ReadOnlySpan<byte> ProtocolId => _protocolId;

    /// <summary>t_hsenc = PROTOID | ":hs_key_extract".</summary>
    internal byte[] KeyExtractTweak { get; }

    /// <summary>t_hsverify = PROTOID | ":hs_verify".</summary>
    internal byte[] VerifyTweak { get; }

    /// <summary>t_hsmac = PROTOID | ":hs_mac".</summary>
    internal byte[] MacTweak { get; }

    /// <summary>m_hsexpand = PROTOID | ":hs_key_expand".</summary>
    internal byte[] KeyExpandTweak { get; }

    /// <summary>PROTOID as text where it is UTF-8, for diagnostics.</summary>
    public override string ToString() => Encoding.UTF8.GetString(_protocolId);

    private byte[] Tweak(string suffix)
    {
        var tweak = new byte[_protocolId.Length + suffix.Length];
        _protocolId.CopyTo(tweak, 0);
        Encoding.ASCII.GetBytes(suffix, tweak.AsSpan(_protocolId.Length));
        return tweak;
    }
}
