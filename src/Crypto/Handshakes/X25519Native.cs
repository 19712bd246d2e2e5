using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// X25519 straight from the libsodium that NSec ships (<c>crypto_scalarmult</c>), on caller-owned spans.
/// </summary>
/// <remarks>
/// NSec's <c>Key</c> and <c>SharedSecret</c> live in guarded secure memory: creating one ephemeral key and two
/// shared secrets cost about 75 + 2 × 93 µs here against 14 + 2 × 33 µs for the bare scalar multiplications,
/// which put a relay's ntor v3 handshake far over its 250 µs budget. The handshakes therefore keep ephemeral
/// secrets on the stack (zeroed after use) and the long-lived onion key in a pinned array
/// (<see cref="Curve25519KeyPair"/>). libsodium's <c>crypto_scalarmult</c> returns -1 when the result is all
/// zeros, i.e. when the peer's point has small order; that is reported as <c>false</c>, never thrown.
/// </remarks>
internal static unsafe partial class X25519Native
{
    public const int KeyLength = 32;

    private const string Library = "libsodium";

#pragma warning disable CA1810 // libsodium must be initialized before first use, which is not a field initializer.
    static X25519Native()
    {
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium could not be initialized.");
        }
    }
#pragma warning restore CA1810

    /// <summary>shared = X25519(secret, publicKey); false when the point has small order (all-zero result).</summary>
    public static bool TryAgree(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> publicKey, Span<byte> shared)
    {
        CheckLength(secretKey.Length);
        CheckLength(publicKey.Length);
        CheckLength(shared.Length);
        int result;
        fixed (byte* q = shared)
        fixed (byte* n = secretKey)
        fixed (byte* p = publicKey)
        {
            result = crypto_scalarmult(q, n, p);
        }

        if (result != 0)
        {
            CryptographicOperations.ZeroMemory(shared);
            return false;
        }

        return true;
    }

    /// <summary>publicKey = X25519(secret, 9).</summary>
    public static void DerivePublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKey)
    {
        CheckLength(secretKey.Length);
        CheckLength(publicKey.Length);
        int result;
        fixed (byte* q = publicKey)
        fixed (byte* n = secretKey)
        {
            result = crypto_scalarmult_base(q, n);
        }

        if (result != 0)
        {
            // Only a zero scalar after clamping can do this, and clamping sets bit 254.
            throw new CryptographicException("X25519 base point multiplication failed.");
        }
    }

    /// <summary>A fresh key pair from the OS's random number generator.</summary>
    public static void Generate(Span<byte> secretKey, Span<byte> publicKey)
    {
        RandomNumberGenerator.Fill(secretKey[..KeyLength]);
        DerivePublicKey(secretKey, publicKey);
    }

    private static void CheckLength(int length)
    {
        if (length != KeyLength)
        {
            throw new ArgumentException("X25519 keys and shared secrets are 32 bytes.");
        }
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    private static partial int crypto_scalarmult(byte* q, byte* n, byte* p);

    [LibraryImport(Library)]
    private static partial int crypto_scalarmult_base(byte* q, byte* n);
}
