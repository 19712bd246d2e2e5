using System.Buffers.Binary;
using System.Security.Cryptography;
using HiddenPoint.Client.Messaging.Storage;
using NSec.Cryptography;

namespace HiddenPoint.Client.Messaging.Backup;

/// <summary>
/// A backup: the identity key file and a consistent copy of the message store in one file, sealed under a key Argon2id
/// derives from the passphrase, so that a lost machine is not a lost hidden-id. Layout (docs/messaging-store.md,
/// "Backups"; integers big-endian):
/// <code>
/// magic "HPCBACKUP1" (10) · memory KiB (4) · passes (4) · salt (16) · nonce (24) · sealed
/// sealed = XChaCha20-Poly1305(key, nonce, ad = the 34 header bytes before the nonce,
///          identity length (4) · identity key file · database length (8) · database file)
/// </code>
/// Pure: encodes and decodes bytes; the caller reads and writes the files.
/// </summary>
public static class BackupFile
{
    /// <summary>The largest backup this implementation writes or reads: 1 GiB.</summary>
    public const long MaxLength = 1L << 30;

    private const int SaltLength = StoreKdfParameters.SaltLength;
    private const int NonceLength = 24;
    private const int KeyLength = 32;
    private static readonly byte[] s_magic = "HPCBACKUP1"u8.ToArray();
    private static readonly AeadAlgorithm s_aead = AeadAlgorithm.XChaCha20Poly1305;

    /// <summary>Bytes before the sealed part (the associated data).</summary>
    public static int HeaderLength => s_magic.Length + 4 + 4 + SaltLength;

    /// <summary>Seals <paramref name="identityKeyFile"/> and <paramref name="database"/> under <paramref name="passphrase"/>.</summary>
    /// <param name="memoryKib">Argon2id memory (8 KiB to 1 GiB).</param>
    /// <param name="passes">Argon2id passes (1 to 20).</param>
    public static byte[] Seal(ReadOnlySpan<byte> identityKeyFile, ReadOnlySpan<byte> database, ReadOnlySpan<byte> passphrase, int memoryKib, int passes)
    {
        var kdf = new StoreKdfParameters(memoryKib, passes);
        if (!kdf.IsWithinBounds)
        {
            throw new ArgumentOutOfRangeException(nameof(memoryKib), "The key-derivation parameters are out of bounds.");
        }

        var plaintextLength = 4L + identityKeyFile.Length + 8 + database.Length;
        var total = HeaderLength + NonceLength + plaintextLength + s_aead.TagSize;
        if (total > MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(database), $"A backup is at most {MaxLength} bytes.");
        }

        var output = new byte[total];
        var header = output.AsSpan(0, HeaderLength);
        s_magic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[s_magic.Length..], memoryKib);
        BinaryPrimitives.WriteInt32BigEndian(header[(s_magic.Length + 4)..], passes);
        var salt = header[(s_magic.Length + 8)..];
        RandomNumberGenerator.Fill(salt);
        var nonce = output.AsSpan(HeaderLength, NonceLength);
        RandomNumberGenerator.Fill(nonce);

        var plaintext = new byte[plaintextLength];
        try
        {
            BinaryPrimitives.WriteInt32BigEndian(plaintext, identityKeyFile.Length);
            identityKeyFile.CopyTo(plaintext.AsSpan(4));
            BinaryPrimitives.WriteInt64BigEndian(plaintext.AsSpan(4 + identityKeyFile.Length), database.Length);
            database.CopyTo(plaintext.AsSpan(4 + identityKeyFile.Length + 8));
            using var key = DeriveKey(passphrase, kdf, salt);
            s_aead.Encrypt(key, nonce, header, plaintext, output.AsSpan(HeaderLength + NonceLength));
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Opens a backup; the caller zeroes the identity bytes when done.</summary>
    /// <exception cref="BackupException">The file is refused; <see cref="BackupException.Error"/> says why.</exception>
    public static (byte[] IdentityKeyFile, byte[] Database) Open(ReadOnlySpan<byte> backup, ReadOnlySpan<byte> passphrase)
    {
        if (backup.Length < HeaderLength + NonceLength + s_aead.TagSize + 12 || backup.Length > MaxLength)
        {
            throw new BackupException(BackupError.BadLength, "The file is too short or too long to be a HiddenPoint backup.");
        }

        if (!backup[..s_magic.Length].SequenceEqual(s_magic))
        {
            throw new BackupException(BackupError.NotABackup, "The file is not a HiddenPoint backup (or one of another version).");
        }

        var header = backup[..HeaderLength];
        var kdf = new StoreKdfParameters(
            BinaryPrimitives.ReadInt32BigEndian(header[s_magic.Length..]),
            BinaryPrimitives.ReadInt32BigEndian(header[(s_magic.Length + 4)..]));
        if (!kdf.IsWithinBounds)
        {
            throw new BackupException(BackupError.BadParameters, "The backup's key-derivation parameters are out of bounds: the header is damaged.");
        }

        var nonce = backup.Slice(HeaderLength, NonceLength);
        var sealedPart = backup[(HeaderLength + NonceLength)..];
        var plaintext = new byte[sealedPart.Length - s_aead.TagSize];
        using (var key = DeriveKey(passphrase, kdf, header[(s_magic.Length + 8)..]))
        {
            if (!s_aead.Decrypt(key, nonce, header, sealedPart, plaintext))
            {
                throw new BackupException(BackupError.WrongPassphraseOrDamaged, "The backup does not open: the passphrase is wrong, or the file was changed or cut.");
            }
        }

        try
        {
            var identityLength = BinaryPrimitives.ReadInt32BigEndian(plaintext);
            if (identityLength < 0 || 4L + identityLength + 8 > plaintext.Length)
            {
                throw new BackupException(BackupError.BadContents, "The backup opened but does not hold an identity and a database.");
            }

            var identity = plaintext.AsSpan(4, identityLength).ToArray();
            var databaseLength = BinaryPrimitives.ReadInt64BigEndian(plaintext.AsSpan(4 + identityLength));
            if (databaseLength != plaintext.Length - 4L - identityLength - 8)
            {
                CryptographicOperations.ZeroMemory(identity);
                throw new BackupException(BackupError.BadContents, "The backup opened but its database length does not match its contents.");
            }

            return (identity, plaintext.AsSpan(4 + identityLength + 8).ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static Key DeriveKey(ReadOnlySpan<byte> passphrase, StoreKdfParameters kdf, ReadOnlySpan<byte> salt)
    {
        Span<byte> bytes = stackalloc byte[KeyLength];
        try
        {
            kdf.Derive(passphrase, salt, bytes);
            return Key.Import(s_aead, bytes, KeyBlobFormat.RawSymmetricKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
