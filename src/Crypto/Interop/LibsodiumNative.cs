using System.Runtime.InteropServices;

namespace HiddenPoint.Crypto.Interop;

/// <summary>
/// Source-generated bindings to the libsodium functions HiddenPoint calls directly: the Ed25519 point and scalar
/// functions, which NSec does not expose, and X25519 on caller-owned memory, which avoids the guarded allocations that
/// NSec makes for every key and shared secret. Every libsodium import of the assembly is here.
/// </summary>
/// <remarks>
/// <para>
/// The library is the one NSec.Cryptography already loads: NSec depends on the <c>libsodium</c> NuGet package, whose
/// <c>runtimes/&lt;rid&gt;/native/libsodium.so</c> (<c>.dylib</c>, <c>.dll</c>) is listed as a native asset in the
/// application's <c>.deps.json</c>. The host turns those entries into the native search directories for the running
/// RID (on linux-x64: <c>runtimes/linux-x64/native/</c> beside the assembly, or the app directory of a RID-specific
/// publish), and the runtime probes the bare name <c>libsodium</c> with the platform's prefix and suffix, so
/// <c>"libsodium"</c> resolves to the same file, and the same loaded image, as NSec's own bindings. The test
/// <c>Libsodium_resolves_and_is_recent_enough</c> checks this on every run.
/// </para>
/// <para>
/// Every function here is pure computation on caller buffers of fixed size; the typed wrappers
/// (<see cref="Ed25519Arithmetic"/>, <see cref="X25519"/>) check the lengths, pin the spans and check the return codes.
/// The type initializer is the one place that calls <c>sodium_init</c>, so no binding runs before it.
/// </para>
/// </remarks>
internal static unsafe partial class LibsodiumNative
{
    private const string Library = "libsodium";

    public const int PointBytes = 32;
    public const int ScalarBytes = 32;
    public const int NonReducedScalarBytes = 64;
    public const int X25519Bytes = 32;

#pragma warning disable CA1810 // libsodium must be initialized before first use, which a field initializer cannot express.
    static LibsodiumNative()
    {
        // Idempotent and thread-safe: NSec may have run it already (1), which is as good as a first success (0).
        if (sodium_init() < 0)
        {
            throw new System.Security.Cryptography.CryptographicException("libsodium failed to initialize (sodium_init returned -1).");
        }
    }
#pragma warning restore CA1810

    /// <summary>0 on first success, 1 when already initialized, -1 on failure.</summary>
    [LibraryImport(Library)]
    private static partial int sodium_init();

    /// <summary>q = X25519(n, p); -1 when the result is all zeros (p of small order).</summary>
    [LibraryImport(Library)]
    public static partial int crypto_scalarmult(byte* q, byte* n, byte* p);

    /// <summary>q = X25519(n, 9); -1 only for a zero result, which a clamped scalar cannot give.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_scalarmult_base(byte* q, byte* n);

    /// <summary>1 when this CPU has the instructions libsodium's AES-256-GCM needs (AES-NI and PCLMULQDQ on x86).</summary>
    [LibraryImport(Library)]
    public static partial int crypto_aead_aes256gcm_is_available();

    /// <summary>c = ciphertext | 16-byte tag; <paramref name="c"/> may equal <paramref name="m"/>.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_aead_aes256gcm_encrypt(
        byte* c, ulong* clen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    /// <summary>-1 when the tag does not verify.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_aead_aes256gcm_decrypt(
        byte* m, ulong* mlen, byte* nsec, byte* c, ulong clen, byte* ad, ulong adlen, byte* npub, byte* k);

    /// <summary>c = ciphertext | 16-byte tag (RFC 8439); <paramref name="c"/> may equal <paramref name="m"/>.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_aead_chacha20poly1305_ietf_encrypt(
        byte* c, ulong* clen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    /// <summary>-1 when the tag does not verify.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_aead_chacha20poly1305_ietf_decrypt(
        byte* m, ulong* mlen, byte* nsec, byte* c, ulong clen, byte* ad, ulong adlen, byte* npub, byte* k);

    [LibraryImport(Library)]
    public static partial int sodium_library_version_major();

    [LibraryImport(Library)]
    public static partial int sodium_library_version_minor();

    /// <summary>
    /// 1 when <paramref name="p"/> is a canonical encoding of a point in the prime-order subgroup that is not of small
    /// order; 0 otherwise (non-canonical y, not on the curve, small order, or with a torsion component).
    /// </summary>
    [LibraryImport(Library)]
    public static partial int crypto_core_ed25519_is_valid_point(byte* p);

    /// <summary>r = p + q for any two points on the curve (no subgroup check); -1 when either does not decode.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_core_ed25519_add(byte* r, byte* p, byte* q);

    /// <summary>q = n·p without clamping (the top bit of n is ignored); -1 when p is invalid or q is the identity.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_scalarmult_ed25519_noclamp(byte* q, byte* n, byte* p);

    /// <summary>q = n·B without clamping (the top bit of n is ignored); -1 when q is the identity or n is zero.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_scalarmult_ed25519_base_noclamp(byte* q, byte* n);

    /// <summary>r = s mod l for a 64-byte little-endian s.</summary>
    [LibraryImport(Library)]
    public static partial void crypto_core_ed25519_scalar_reduce(byte* r, byte* s);

    /// <summary>z = x·y mod l.</summary>
    [LibraryImport(Library)]
    public static partial void crypto_core_ed25519_scalar_mul(byte* z, byte* x, byte* y);

    /// <summary>z = x + y mod l.</summary>
    [LibraryImport(Library)]
    public static partial void crypto_core_ed25519_scalar_add(byte* z, byte* x, byte* y);

    /// <summary>The Montgomery u-coordinate of an Ed25519 public key; -1 when the key is invalid.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_sign_ed25519_pk_to_curve25519(byte* curve25519Pk, byte* ed25519Pk);
}
