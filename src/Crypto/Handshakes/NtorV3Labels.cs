using System.Text;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The strings that make one deployment's ntor v3 handshakes (Tor proposal 332) distinct from every other's:
/// PROTOID, from which the six tweaks <c>t_msgkdf</c> … <c>t_auth</c> are derived, and the verification
/// string VER that both parties must share. Immutable; the ENCAP'd tweaks are computed once here.
/// </summary>
public sealed class NtorV3Labels
{
    /// <summary>Longest accepted PROTOID or verification string, so every hash input fits a stack buffer.</summary>
    public const int MaxLabelLength = 128;

    private readonly byte[] _protocolId;
    private readonly byte[] _verification;

    /// <summary>Labels from raw bytes.</summary>
    /// <exception cref="ArgumentException">PROTOID is empty, or either string is over <see cref="MaxLabelLength"/> bytes.</exception>
    public NtorV3Labels(ReadOnlySpan<byte> protocolId, ReadOnlySpan<byte> verification)
    {
        if (protocolId.IsEmpty || protocolId.Length > MaxLabelLength)
        {
            throw new ArgumentException($"PROTOID must be 1 to {MaxLabelLength} bytes.", nameof(protocolId));
        }

        if (verification.Length > MaxLabelLength)
        {
            throw new ArgumentException($"The verification string must be at most {MaxLabelLength} bytes.", nameof(verification));
        }

        _protocolId = protocolId.ToArray();
        _verification = verification.ToArray();
        MsgKdfTweak = Tweak(":kdf_phase1");
        MsgMacTweak = Tweak(":msg_mac");
        KeySeedTweak = Tweak(":key_seed");
        VerifyTweak = Tweak(":verify");
        FinalTweak = Tweak(":kdf_final");
        AuthTweak = Tweak(":auth_final");
        EncapVerification = Sha3Kdf.Encap(verification);
    }

    /// <summary>
    /// Tor's circuit-extension labels: PROTOID <c>ntor3-curve25519-sha3_256-1</c>, VER <c>circuit extend</c>.
    /// </summary>
    public static NtorV3Labels Tor { get; } = new("ntor3-curve25519-sha3_256-1"u8, "circuit extend"u8);

    /// <summary>
    /// HiddenPoint's labels (DESIGN §2): PROTOID <c>hpc-ntor3-curve25519-sha3_256-1</c>, VER <c>hpc circuit extend</c>.
    /// </summary>
    public static NtorV3Labels Hpc { get; } = new("hpc-ntor3-curve25519-sha3_256-1"u8, "hpc circuit extend"u8);

    /// <summary>PROTOID.</summary>
    public ReadOnlySpan<byte> ProtocolId => _protocolId;

    /// <summary>VER, the verification string.</summary>
    public ReadOnlySpan<byte> Verification => _verification;

    /// <summary>ENCAP(PROTOID | ":kdf_phase1").</summary>
    internal byte[] MsgKdfTweak { get; }

    /// <summary>ENCAP(PROTOID | ":msg_mac").</summary>
    internal byte[] MsgMacTweak { get; }

    /// <summary>ENCAP(PROTOID | ":key_seed").</summary>
    internal byte[] KeySeedTweak { get; }

    /// <summary>ENCAP(PROTOID | ":verify").</summary>
    internal byte[] VerifyTweak { get; }

    /// <summary>ENCAP(PROTOID | ":kdf_final").</summary>
    internal byte[] FinalTweak { get; }

    /// <summary>ENCAP(PROTOID | ":auth_final").</summary>
    internal byte[] AuthTweak { get; }

    /// <summary>ENCAP(VER).</summary>
    internal byte[] EncapVerification { get; }

    /// <summary>The labels as text where they are UTF-8, for diagnostics.</summary>
    public override string ToString() =>
        $"{Encoding.UTF8.GetString(_protocolId)} / {Encoding.UTF8.GetString(_verification)}";

    private byte[] Tweak(string suffix)
    {
        var tweak = new byte[_protocolId.Length + suffix.Length];
        _protocolId.CopyTo(tweak, 0);
        Encoding.ASCII.GetBytes(suffix, tweak.AsSpan(_protocolId.Length));
        return Sha3Kdf.Encap(tweak);
    }
}
