using System.Buffers.Binary;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// The database's key header (table <c>key_header</c>, one row): the random database key sealed with
/// XChaCha20-Poly1305 under the key Argon2id derives from the passphrase and <see cref="Salt"/>. The associated data
/// is "hpc-store-v1 key" | salt | memory KiB (4, big-endian) | passes (4, big-endian), so parameters edited on disk
/// make the unwrap fail rather than weaken the derivation silently.
/// </summary>
internal sealed record StoreKeyHeader(byte[] Salt, StoreKdfParameters Kdf, byte[] Nonce, byte[] WrappedKey)
{
    public const int WrappedKeyLength = StoreCipher.DatabaseKeyLength + StoreCipher.TagLength;

    private static readonly AeadAlgorithm s_aead = AeadAlgorithm.XChaCha20Poly1305;
    private static readonly byte[] s_label = "hpc-store-v1 key"u8.ToArray();

    /// <summary>True when every field has its length and the parameters are within bounds.</summary>
    public bool IsWellFormed =>
        Salt.Length == StoreKdfParameters.SaltLength && Nonce.Length == StoreCipher.NonceLength &&
        WrappedKey.Length == WrappedKeyLength && Kdf.IsWithinBounds;

    /// <summary>A header for a new random database key, written to <paramref name="databaseKey"/> (which the caller wipes).</summary>
    public static StoreKeyHeader Create(ReadOnlySpan<byte> passphrase, StoreKdfParameters kdf, Span<byte> databaseKey)
    {
        var salt = RandomNumberGenerator.GetBytes(StoreKdfParameters.SaltLength);
        var nonce = RandomNumberGenerator.GetBytes(StoreCipher.NonceLength);
        RandomNumberGenerator.Fill(databaseKey);
        var wrapped = new byte[WrappedKeyLength];
        using (var wrappingKey = WrappingKey(passphrase, salt, kdf))
        {
            s_aead.Encrypt(wrappingKey, nonce, AssociatedData(salt, kdf), databaseKey, wrapped);
        }

        return new StoreKeyHeader(salt, kdf, nonce, wrapped);
    }

    /// <summary>Unwraps the database key into <paramref name="databaseKey"/>; false for a wrong passphrase or an altered header.</summary>
    public bool TryUnwrap(ReadOnlySpan<byte> passphrase, Span<byte> databaseKey)
    {
        using var wrappingKey = WrappingKey(passphrase, Salt, Kdf);
        return s_aead.Decrypt(wrappingKey, Nonce, AssociatedData(Salt, Kdf), WrappedKey, databaseKey);
    }

    private static Key WrappingKey(ReadOnlySpan<byte> passphrase, ReadOnlySpan<byte> salt, StoreKdfParameters kdf)
    {
        Span<byte> derived = stackalloc byte[32];
        try
        {
            kdf.Derive(passphrase, salt, derived);
            return Key.Import(s_aead, derived, KeyBlobFormat.RawSymmetricKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    private static byte[] AssociatedData(ReadOnlySpan<byte> salt, StoreKdfParameters kdf)
    {
        var ad = new byte[s_label.Length + salt.Length + 8];
        s_label.CopyTo(ad, 0);
        salt.CopyTo(ad.AsSpan(s_label.Length));
        BinaryPrimitives.WriteInt32BigEndian(ad.AsSpan(s_label.Length + salt.Length), kdf.MemoryKib);
        BinaryPrimitives.WriteInt32BigEndian(ad.AsSpan(s_label.Length + salt.Length + 4), kdf.Passes);
        return ad;
    }
}
