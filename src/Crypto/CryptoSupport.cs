using System.Security.Cryptography;

namespace HiddenPoint.Crypto;

/// <summary>
/// Checks, once at program start, that this platform offers every primitive HiddenPoint needs from the OS
/// (SHA3-256 and SHAKE-256 come from the OS's crypto library through the BCL; AES-GCM from libsodium needs AES-NI).
/// </summary>
public static class CryptoSupport
{
    /// <summary>Throws <see cref="PlatformNotSupportedException"/> naming what is missing.</summary>
    public static void EnsureSupported()
    {
        var missing = new List<string>();
        if (!SHA3_256.IsSupported)
        {
            missing.Add("SHA3-256");
        }

        if (!Shake256.IsSupported)
        {
            missing.Add("SHAKE-256");
        }

        if (!Interop.Aead.IsAesGcmSupported)
        {
            missing.Add("AES-256-GCM (libsodium needs AES-NI and PCLMULQDQ)");
        }

        if (missing.Count > 0)
        {
            throw new PlatformNotSupportedException(
                "HiddenPoint needs these primitives, which this platform lacks: " + string.Join(", ", missing) +
                ". On Linux, SHA-3 needs OpenSSL 1.1.1 or later.");
        }
    }
}
