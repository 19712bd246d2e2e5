using System.Security.Cryptography;

namespace HiddenPoint.Crypto.Interop;

/// <summary>
/// Span-based Ed25519 point and scalar arithmetic over libsodium, for key blinding and key validation. Points are
/// 32-byte Ed25519 encodings, scalars 32-byte little-endian integers.
/// </summary>
/// <remarks>
/// Functions whose failure an attacker's bytes can cause (an invalid point) return <see langword="false"/>; a wrong
/// buffer length is a bug in the caller and throws <see cref="ArgumentException"/>.
/// </remarks>
internal static unsafe class Ed25519Arithmetic
{
    public const int PointLength = LibsodiumNative.PointBytes;
    public const int ScalarLength = LibsodiumNative.ScalarBytes;
    public const int WideScalarLength = LibsodiumNative.NonReducedScalarBytes;

    /// <summary>The group order l = 2^252 + 27742317777372353535851937790883648493, little-endian.</summary>
    public static ReadOnlySpan<byte> GroupOrder =>
    [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ];

    /// <summary>The encoding of the base point B.</summary>
    public static ReadOnlySpan<byte> BasePoint =>
    [
        0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
        0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    ];

    /// <summary>The version of the loaded libsodium library, as (major, minor) of its ABI.</summary>
    public static (int Major, int Minor) LibraryVersion =>
        (LibsodiumNative.sodium_library_version_major(), LibsodiumNative.sodium_library_version_minor());

    /// <summary>
    /// Whether <paramref name="point"/> is a canonical encoding of a point of prime order l: libsodium rejects a
    /// y-coordinate not below 2^255 - 19, an encoding that does not decode to a curve point, the eight points of small
    /// order (the identity among them), and any point with a torsion component.
    /// </summary>
    public static bool IsValidPoint(ReadOnlySpan<byte> point)
    {
        CheckLength(point, PointLength, nameof(point));
        fixed (byte* p = point)
        {
            return LibsodiumNative.crypto_core_ed25519_is_valid_point(p) == 1;
        }
    }

    /// <summary>
    /// Whether <paramref name="point"/> is the canonical encoding of a curve point (of any order): its y-coordinate is
    /// below 2^255 - 19 and an x-coordinate exists.
    /// </summary>
    public static bool IsCanonicalCurvePoint(ReadOnlySpan<byte> point)
    {
        CheckLength(point, PointLength, nameof(point));
        if (!IsCanonicalFieldElement(point))
        {
            return false;
        }

        // Point addition decodes both inputs and checks the curve equation, but not the subgroup.
        Span<byte> sum = stackalloc byte[PointLength];
        return TryAdd(point, BasePoint, sum);
    }

    /// <summary><paramref name="sum"/> = p + q; <see langword="false"/> when either does not decode to a curve point.</summary>
    public static bool TryAdd(ReadOnlySpan<byte> p, ReadOnlySpan<byte> q, Span<byte> sum)
    {
        CheckLength(p, PointLength, nameof(p));
        CheckLength(q, PointLength, nameof(q));
        CheckLength(sum, PointLength, nameof(sum));
        fixed (byte* pp = p)
        fixed (byte* pq = q)
        fixed (byte* pr = sum)
        {
            return LibsodiumNative.crypto_core_ed25519_add(pr, pp, pq) == 0;
        }
    }

    /// <summary>
    /// <paramref name="product"/> = n·P without clamping. <see langword="false"/> when P is not a valid point of prime
    /// order (see <see cref="IsValidPoint"/>) or the product is the identity. Bit 255 of n is ignored.
    /// </summary>
    public static bool TryMultiply(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> product)
    {
        CheckLength(scalar, ScalarLength, nameof(scalar));
        CheckLength(point, PointLength, nameof(point));
        CheckLength(product, PointLength, nameof(product));
        fixed (byte* n = scalar)
        fixed (byte* p = point)
        fixed (byte* q = product)
        {
            return LibsodiumNative.crypto_scalarmult_ed25519_noclamp(q, n, p) == 0;
        }
    }

    /// <summary>
    /// <paramref name="product"/> = n·B without clamping. <see langword="false"/> when n is zero or a multiple of l.
    /// Bit 255 of n is ignored.
    /// </summary>
    public static bool TryMultiplyBase(ReadOnlySpan<byte> scalar, Span<byte> product)
    {
        CheckLength(scalar, ScalarLength, nameof(scalar));
        CheckLength(product, PointLength, nameof(product));
        fixed (byte* n = scalar)
        fixed (byte* q = product)
        {
            return LibsodiumNative.crypto_scalarmult_ed25519_base_noclamp(q, n) == 0;
        }
    }

    /// <summary><paramref name="reduced"/> = s mod l, for a 64-byte (hash output) or 32-byte s.</summary>
    public static void Reduce(ReadOnlySpan<byte> scalar, Span<byte> reduced)
    {
        if (scalar.Length is not (ScalarLength or WideScalarLength))
        {
            throw new ArgumentException("A scalar to reduce must be 32 or 64 bytes.", nameof(scalar));
        }

        CheckLength(reduced, ScalarLength, nameof(reduced));
        Span<byte> wide = stackalloc byte[WideScalarLength];
        wide.Clear();
        scalar.CopyTo(wide);
        fixed (byte* s = wide)
        fixed (byte* r = reduced)
        {
            LibsodiumNative.crypto_core_ed25519_scalar_reduce(r, s);
        }

        CryptographicOperations.ZeroMemory(wide);
    }

    /// <summary><paramref name="product"/> = x·y mod l. The inputs need not be reduced.</summary>
    public static void MultiplyScalars(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> product)
    {
        CheckLength(x, ScalarLength, nameof(x));
        CheckLength(y, ScalarLength, nameof(y));
        CheckLength(product, ScalarLength, nameof(product));

        // Reduce first so that libsodium only ever sees canonical scalars, whatever the caller passes.
        Span<byte> reduced = stackalloc byte[2 * ScalarLength];
        var rx = reduced[..ScalarLength];
        var ry = reduced[ScalarLength..];
        Reduce(x, rx);
        Reduce(y, ry);
        fixed (byte* px = rx)
        fixed (byte* py = ry)
        fixed (byte* pz = product)
        {
            LibsodiumNative.crypto_core_ed25519_scalar_mul(pz, px, py);
        }

        CryptographicOperations.ZeroMemory(reduced);
    }

    /// <summary><paramref name="sum"/> = x + y mod l. The inputs need not be reduced.</summary>
    public static void AddScalars(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> sum)
    {
        CheckLength(x, ScalarLength, nameof(x));
        CheckLength(y, ScalarLength, nameof(y));
        CheckLength(sum, ScalarLength, nameof(sum));
        Span<byte> reduced = stackalloc byte[2 * ScalarLength];
        var rx = reduced[..ScalarLength];
        var ry = reduced[ScalarLength..];
        Reduce(x, rx);
        Reduce(y, ry);
        fixed (byte* px = rx)
        fixed (byte* py = ry)
        fixed (byte* pz = sum)
        {
            LibsodiumNative.crypto_core_ed25519_scalar_add(pz, px, py);
        }

        CryptographicOperations.ZeroMemory(reduced);
    }

    /// <summary>
    /// The Montgomery u-coordinate (X25519 public key) of an Ed25519 public key; <see langword="false"/> when the key
    /// is not a valid point.
    /// </summary>
    public static bool TryConvertToX25519(ReadOnlySpan<byte> ed25519PublicKey, Span<byte> x25519PublicKey)
    {
        CheckLength(ed25519PublicKey, PointLength, nameof(ed25519PublicKey));
        CheckLength(x25519PublicKey, PointLength, nameof(x25519PublicKey));
        fixed (byte* ed = ed25519PublicKey)
        fixed (byte* x = x25519PublicKey)
        {
            return LibsodiumNative.crypto_sign_ed25519_pk_to_curve25519(x, ed) == 0;
        }
    }

    // y (the encoding without its sign bit) < 2^255 - 19. Points are public, so an early exit leaks nothing.
    private static bool IsCanonicalFieldElement(ReadOnlySpan<byte> encoding)
    {
        if ((encoding[31] & 0x7f) != 0x7f)
        {
            return true;
        }

        for (var i = 30; i > 0; i--)
        {
            if (encoding[i] != 0xff)
            {
                return true;
            }
        }

        return encoding[0] < 0xed;
    }

    private static void CheckLength(ReadOnlySpan<byte> buffer, int length, string name)
    {
        if (buffer.Length != length)
        {
            throw new ArgumentException($"Expected {length} bytes, got {buffer.Length}.", name);
        }
    }
}
