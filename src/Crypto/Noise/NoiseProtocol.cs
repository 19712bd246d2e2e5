using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace HiddenPoint.Crypto.Noise;

/// <summary>
/// A concrete Noise protocol: a handshake pattern with 25519, a cipher and SHA256, named as Noise names it
/// (<c>Noise_XK_25519_AESGCM_SHA256</c>). The name is hashed into the handshake, so both sides must agree on it.
/// </summary>
public sealed class NoiseProtocol
{
    private const string Prefix = "Noise";
    private const string DhName = "25519";
    private const string HashName = "SHA256";

    private NoiseProtocol(NoiseHandshakePattern pattern, NoiseCipher cipher)
    {
        Pattern = pattern;
        Cipher = cipher;
        var cipherName = cipher switch
        {
            NoiseCipher.AesGcm => "AESGCM",
            NoiseCipher.ChaChaPoly => "ChaChaPoly",
            _ => throw new ArgumentOutOfRangeException(nameof(cipher), cipher, "Unknown Noise cipher."),
        };
        Name = string.Join('_', Prefix, pattern.Name, DhName, cipherName, HashName);
    }

    /// <summary><c>Noise_XK_25519_AESGCM_SHA256</c>: relay to relay, both sides authenticated by their link keys.</summary>
    public static NoiseProtocol RelayToRelay { get; } = new(NoiseHandshakePattern.XK, NoiseCipher.AesGcm);

    /// <summary><c>Noise_NK_25519_AESGCM_SHA256</c>: client to relay, the client anonymous.</summary>
    public static NoiseProtocol ClientToRelay { get; } = new(NoiseHandshakePattern.NK, NoiseCipher.AesGcm);

    /// <summary>The handshake pattern.</summary>
    public NoiseHandshakePattern Pattern { get; }

    /// <summary>The AEAD used during and after the handshake.</summary>
    public NoiseCipher Cipher { get; }

    /// <summary>The full protocol name, e.g. <c>Noise_XK_25519_AESGCM_SHA256</c>.</summary>
    public string Name { get; }

    /// <summary>The protocol for a pattern and cipher (DH is always 25519, hash always SHA256).</summary>
    public static NoiseProtocol Create(NoiseHandshakePattern pattern, NoiseCipher cipher)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return new NoiseProtocol(pattern, cipher);
    }

    /// <summary>
    /// Parses a protocol name. Succeeds only for what this implementation runs: a defined pattern (NN, NK, XK),
    /// 25519, AESGCM or ChaChaPoly, and SHA256.
    /// </summary>
    public static bool TryParse(string name, [NotNullWhen(true)] out NoiseProtocol? protocol)
    {
        ArgumentNullException.ThrowIfNull(name);
        protocol = null;
        var parts = name.Split('_');
        if (parts.Length != 5 || parts[0] != Prefix || parts[2] != DhName || parts[4] != HashName)
        {
            return false;
        }

        if (!NoiseHandshakePattern.TryGet(parts[1], out var pattern))
        {
            return false;
        }

        NoiseCipher cipher;
        switch (parts[3])
        {
            case "AESGCM":
                cipher = NoiseCipher.AesGcm;
                break;
            case "ChaChaPoly":
                cipher = NoiseCipher.ChaChaPoly;
                break;
            default:
                return false;
        }

        protocol = new NoiseProtocol(pattern, cipher);
        return true;
    }

    /// <summary>The name in ASCII, as InitializeSymmetric takes it.</summary>
    internal byte[] GetNameBytes() => Encoding.ASCII.GetBytes(Name);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
