using System.Security.Cryptography;
using System.Text;

namespace HiddenPoint.Crypto.Keys;

/// <summary>Why a key file's bytes were refused.</summary>
public enum KeyFileError
{
    /// <summary>Larger than any key file HiddenPoint writes.</summary>
    TooLarge = 1,

    /// <summary>Ends before the last line: a write that was cut short, or a truncated copy.</summary>
    Truncated,

    /// <summary>The first line does not say this is a HiddenPoint key file.</summary>
    NotAKeyFile,

    /// <summary>A format version this program does not know (written by a newer one).</summary>
    UnsupportedVersion,

    /// <summary>A line is not the one expected at its place, or has bad characters.</summary>
    Malformed,

    /// <summary>The file holds a key for another role than the one asked for.</summary>
    WrongRole,

    /// <summary>The algorithm is not the one the role uses.</summary>
    WrongAlgorithm,

    /// <summary>The secret or public key is not valid base64 of 32 bytes.</summary>
    BadKeyEncoding,

    /// <summary>The public key does not match the secret: one of them was corrupted.</summary>
    PublicKeyMismatch,

    /// <summary>Bytes after the last line.</summary>
    TrailingData,
}

/// <summary>
/// The versioned text format of a key file. Five lines, LF-terminated, nothing else:
/// <code>
/// hpc-key-file 1
/// role relay-identity
/// algorithm ed25519
/// secret &lt;base64 of the 32-byte seed&gt;
/// public &lt;base64 of the 32-byte public key&gt;
/// </code>
/// The public line lets a load detect a corrupted secret (the public key derived from it would differ) and lets an
/// operator see which key a file holds. Parsing is pure; <see cref="KeyFile"/> does the disk work.
/// </summary>
public static class KeyFileFormat
{
    /// <summary>The format version this program writes and reads.</summary>
    public const int Version = 1;

    /// <summary>No key file is longer; anything longer is refused before it is read whole.</summary>
    public const int MaxLength = 512;

    private const string Magic = "hpc-key-file";

    /// <summary>
    /// Encodes <paramref name="key"/> as a key file. The caller owns the array, which holds the secret: wipe it
    /// (<see cref="CryptographicOperations.ZeroMemory"/>) once written. Prefer <see cref="Encode(SecretKey, Span{byte})"/>.
    /// </summary>
    public static byte[] Encode(SecretKey key)
    {
        Span<byte> file = stackalloc byte[MaxLength];
        try
        {
            return file[..Encode(key, file)].ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(file);
        }
    }

    /// <summary>
    /// Encodes <paramref name="key"/> as a key file into <paramref name="destination"/> (at least
    /// <see cref="MaxLength"/> bytes) and returns its length. Only bytes are written: the secret never passes through a
    /// .NET string, which could not be wiped, and nothing is allocated. The caller wipes the destination once written.
    /// </summary>
    public static int Encode(SecretKey key, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (destination.Length < MaxLength)
        {
            throw new ArgumentException($"A key file needs a buffer of {MaxLength} bytes.", nameof(destination));
        }

        Span<byte> seed = stackalloc byte[SecretKey.SeedLength];
        key.ExportSeed(seed);
        try
        {
            var written = 0;
            Ascii(destination, ref written, Magic);
            Ascii(destination, ref written, " 1\nrole ");
            Ascii(destination, ref written, key.Role.FileName());
            Ascii(destination, ref written, "\nalgorithm ");
            Ascii(destination, ref written, AlgorithmName(key.Role.Algorithm()));
            Ascii(destination, ref written, "\nsecret ");
            Base64(destination, ref written, seed);
            Ascii(destination, ref written, "\npublic ");
            Base64(destination, ref written, key.PublicKeyBytes);
            Ascii(destination, ref written, "\n");
            return written;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>
    /// Parses a key file for the role of <typeparamref name="TKey"/>. On success the caller owns the key.
    /// </summary>
    /// <returns>False with <paramref name="error"/> and a short <paramref name="detail"/> when the bytes are refused.</returns>
    public static bool TryDecode<TKey>(ReadOnlySpan<byte> file, out TKey? key, out KeyFileError error, out string detail)
        where TKey : SecretKey, ISecretKeyRole<TKey>
    {
        key = null;
        Span<byte> seed = stackalloc byte[SecretKey.SeedLength];
        try
        {
            if (!TryDecodeFields(file, TKey.KeyRole, seed, out var publicKey, out error, out detail))
            {
                return false;
            }

            // Bits that clamping discards would let a corrupted secret load as the same key; a file holds the clamped form.
            if (TKey.KeyRole.Algorithm() == KeyAlgorithm.X25519 && !Interop.X25519.IsClamped(seed))
            {
                error = KeyFileError.BadKeyEncoding;
                detail = "the X25519 secret is not a clamped scalar (RFC 7748); the file is corrupt";
                return false;
            }

            var candidate = TKey.FromSeed(seed);
            if (!CryptographicOperations.FixedTimeEquals(candidate.PublicKeyBytes, publicKey))
            {
                candidate.Dispose();
                error = KeyFileError.PublicKeyMismatch;
                detail = "the public key does not belong to the secret key; the file is corrupt";
                return false;
            }

            key = candidate;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private static bool TryDecodeFields(
        ReadOnlySpan<byte> file, KeyRole expectedRole, Span<byte> seed, out byte[] publicKey, out KeyFileError error, out string detail)
    {
        publicKey = [];
        if (file.Length > MaxLength)
        {
            return Fail(KeyFileError.TooLarge, $"{file.Length} bytes, more than the {MaxLength} a key file can be", out error, out detail);
        }

        var rest = file;
        if (!NextLine(ref rest, out var line))
        {
            return Truncated(out error, out detail);
        }

        if (!TryField(line, Magic, out var version))
        {
            return Fail(KeyFileError.NotAKeyFile, "the first line is not 'hpc-key-file <version>'", out error, out detail);
        }

        if (!version.SequenceEqual("1"u8))
        {
            return Fail(KeyFileError.UnsupportedVersion, "format version " + Printable(version) + " is not supported (this program reads version 1)", out error, out detail);
        }

        if (!NextLine(ref rest, out line))
        {
            return Truncated(out error, out detail);
        }

        if (!TryField(line, "role", out var roleName))
        {
            return Fail(KeyFileError.Malformed, "line 2 is not 'role <role>'", out error, out detail);
        }

        if (!KeyRoles.TryParse(Encoding.ASCII.GetString(roleName), out var role) || role != expectedRole)
        {
            return Fail(KeyFileError.WrongRole, $"it holds a '{Printable(roleName)}' key, not a '{expectedRole.FileName()}' key", out error, out detail);
        }

        if (!NextLine(ref rest, out line))
        {
            return Truncated(out error, out detail);
        }

        if (!TryField(line, "algorithm", out var algorithm))
        {
            return Fail(KeyFileError.Malformed, "line 3 is not 'algorithm <name>'", out error, out detail);
        }

        if (!algorithm.SequenceEqual(Encoding.ASCII.GetBytes(AlgorithmName(role.Algorithm()))))
        {
            return Fail(KeyFileError.WrongAlgorithm, $"algorithm '{Printable(algorithm)}' is not {AlgorithmName(role.Algorithm())}", out error, out detail);
        }

        if (!NextLine(ref rest, out line))
        {
            return Truncated(out error, out detail);
        }

        if (!TryField(line, "secret", out var secretText))
        {
            return Fail(KeyFileError.Malformed, "line 4 is not 'secret <base64>'", out error, out detail);
        }

        if (!TryBase64Key(secretText, seed))
        {
            return Fail(KeyFileError.BadKeyEncoding, "the secret key is not base64 of 32 bytes", out error, out detail);
        }

        if (!NextLine(ref rest, out line))
        {
            return Truncated(out error, out detail);
        }

        if (!TryField(line, "public", out var publicText))
        {
            return Fail(KeyFileError.Malformed, "line 5 is not 'public <base64>'", out error, out detail);
        }

        publicKey = new byte[32];
        if (!TryBase64Key(publicText, publicKey))
        {
            return Fail(KeyFileError.BadKeyEncoding, "the public key is not base64 of 32 bytes", out error, out detail);
        }

        if (!rest.IsEmpty)
        {
            return Fail(KeyFileError.TrailingData, $"{rest.Length} bytes after the last line", out error, out detail);
        }

        error = default;
        detail = string.Empty;
        return true;
    }

    private static void Ascii(Span<byte> destination, ref int written, string text) =>
        written += Encoding.ASCII.GetBytes(text, destination[written..]);

    private static void Base64(Span<byte> destination, ref int written, ReadOnlySpan<byte> bytes)
    {
        if (System.Buffers.Text.Base64.EncodeToUtf8(bytes, destination[written..], out _, out var encoded) != System.Buffers.OperationStatus.Done)
        {
            throw new InvalidOperationException("A key file does not fit its buffer.");
        }

        written += encoded;
    }

    private static string AlgorithmName(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.Ed25519 => "ed25519",
        KeyAlgorithm.X25519 => "x25519",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    // A line is complete only with its LF: a file cut mid-line is truncated, not a shorter key.
    private static bool NextLine(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> line)
    {
        var end = rest.IndexOf((byte)'\n');
        if (end < 0)
        {
            line = default;
            return false;
        }

        line = rest[..end];
        rest = rest[(end + 1)..];
        return true;
    }

    private static bool TryField(ReadOnlySpan<byte> line, string keyword, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (line.Length <= keyword.Length + 1 || line[keyword.Length] != (byte)' ')
        {
            return false;
        }

        for (var i = 0; i < keyword.Length; i++)
        {
            if (line[i] != keyword[i])
            {
                return false;
            }
        }

        value = line[(keyword.Length + 1)..];
        foreach (var b in value)
        {
            if (b is <= 0x20 or >= 0x7f)
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryBase64Key(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        Span<byte> decoded = stackalloc byte[48];
        Span<byte> reencoded = stackalloc byte[64];
        var status = System.Buffers.Text.Base64.DecodeFromUtf8(text, decoded, out var consumed, out var written);
        var ok = status == System.Buffers.OperationStatus.Done && consumed == text.Length && written == destination.Length;

        // The decoder ignores the unused low bits of the last character: only the canonical text is accepted, so that
        // no changed character decodes to the same key.
        ok = ok &&
            System.Buffers.Text.Base64.EncodeToUtf8(decoded[..written], reencoded, out _, out var encodedLength) == System.Buffers.OperationStatus.Done &&
            reencoded[..encodedLength].SequenceEqual(text);
        if (ok)
        {
            decoded[..written].CopyTo(destination);
        }

        CryptographicOperations.ZeroMemory(decoded);
        CryptographicOperations.ZeroMemory(reencoded);
        return ok;
    }

    private static string Printable(ReadOnlySpan<byte> value)
    {
        var shown = value.Length > 32 ? value[..32] : value;
        var builder = new StringBuilder(shown.Length);
        foreach (var b in shown)
        {
            builder.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        }

        return builder.ToString();
    }

    private static bool Truncated(out KeyFileError error, out string detail) =>
        Fail(KeyFileError.Truncated, "the file ends before its last line", out error, out detail);

    private static bool Fail(KeyFileError kind, string message, out KeyFileError error, out string detail)
    {
        error = kind;
        detail = message;
        return false;
    }
}
