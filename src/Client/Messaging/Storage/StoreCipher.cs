using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using HiddenPoint.Crypto.HiddenPoints;
using NSec.Cryptography;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// The open database's two subkeys: the sealing key (XChaCha20-Poly1305) for every value a user wrote or received,
/// and the index key (keyed BLAKE2b-256) that turns a hidden-id into the column contacts are looked up by. Both are
/// HKDF-SHA256-Expand outputs of the random 32-byte database key (which is already uniform, so no Extract step), held
/// in NSec's secure memory; the database key itself is wiped once they are derived.
/// </summary>
internal sealed class StoreCipher : IDisposable
{
    public const int DatabaseKeyLength = 32;
    public const int IndexLength = 32;
    public const int NonceLength = 24;
    public const int TagLength = 16;

    /// <summary>Sealed bytes beyond the plaintext: nonce and tag.</summary>
    public const int Overhead = NonceLength + TagLength;

    private static readonly AeadAlgorithm s_aead = AeadAlgorithm.XChaCha20Poly1305;
    private static readonly MacAlgorithm s_mac = MacAlgorithm.Blake2b_256;
    private static readonly byte[] s_sealInfo = "hpc-store-v1 seal"u8.ToArray();
    private static readonly byte[] s_indexInfo = "hpc-store-v1 index"u8.ToArray();
    private static readonly byte[] s_adPrefix = "hpc-store-v1"u8.ToArray();

    private readonly Key _sealKey;
    private readonly Key _indexKey;

    private StoreCipher(Key sealKey, Key indexKey)
    {
        _sealKey = sealKey;
        _indexKey = indexKey;
    }

    /// <summary>Derives the subkeys from <paramref name="databaseKey"/> (which the caller wipes).</summary>
    public static StoreCipher FromDatabaseKey(ReadOnlySpan<byte> databaseKey)
    {
        if (databaseKey.Length != DatabaseKeyLength)
        {
            throw new ArgumentException("The database key is 32 bytes.", nameof(databaseKey));
        }

        Span<byte> subkey = stackalloc byte[32];
        Key? sealKey = null;
        try
        {
            HKDF.Expand(HashAlgorithmName.SHA256, databaseKey, subkey, s_sealInfo);
            sealKey = Key.Import(s_aead, subkey, KeyBlobFormat.RawSymmetricKey);
            HKDF.Expand(HashAlgorithmName.SHA256, databaseKey, subkey, s_indexInfo);
            var indexKey = Key.Import(s_mac, subkey, KeyBlobFormat.RawSymmetricKey);
            return new StoreCipher(sealKey, indexKey);
        }
        catch
        {
            sealKey?.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(subkey);
        }
    }

    /// <summary>The contact column value for <paramref name="contact"/>: BLAKE2b-256 keyed by the index key over its identity key.</summary>
    public byte[] ContactIndex(HiddenId contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var index = new byte[IndexLength];
        s_mac.Mac(_indexKey, contact.IdentityKey.Bytes, index);
        return index;
    }

    /// <summary>Seals <paramref name="plaintext"/> bound to <paramref name="associatedData"/>: nonce (24, random) | ciphertext | tag (16).</summary>
    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var sealedBytes = new byte[NonceLength + plaintext.Length + TagLength];
        var nonce = sealedBytes.AsSpan(0, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        s_aead.Encrypt(_sealKey, nonce, associatedData, plaintext, sealedBytes.AsSpan(NonceLength));
        return sealedBytes;
    }

    /// <summary>Opens what <see cref="Seal"/> made with the same associated data; null when it does not authenticate.</summary>
    public byte[]? Open(ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associatedData)
    {
        if (sealedBytes.Length < Overhead)
        {
            return null;
        }

        var plaintext = new byte[sealedBytes.Length - Overhead];
        return s_aead.Decrypt(_sealKey, sealedBytes[..NonceLength], associatedData, sealedBytes[NonceLength..], plaintext)
            ? plaintext
            : null;
    }

    /// <summary>
    /// The associated data binding a value to its place: "hpc-store-v1" | 0 | table | 0 | column | 0 | row key, the
    /// names in ASCII. A value moved to another table, column or row no longer opens.
    /// </summary>
    public static byte[] AssociatedData(string table, string column, ReadOnlySpan<byte> rowKey)
    {
        var length = s_adPrefix.Length + 1 + table.Length + 1 + column.Length + 1 + rowKey.Length;
        var ad = new byte[length];
        var span = ad.AsSpan();
        s_adPrefix.CopyTo(span);
        var at = s_adPrefix.Length + 1;
        at += Encoding.ASCII.GetBytes(table, span[at..]) + 1;
        at += Encoding.ASCII.GetBytes(column, span[at..]) + 1;
        rowKey.CopyTo(span[at..]);
        return ad;
    }

    /// <summary>A message row's key: contact index (32) | direction (1) | sequence (8, big-endian).</summary>
    public static byte[] MessageRowKey(ReadOnlySpan<byte> contactIndex, MessageDirection direction, ulong sequence)
    {
        var key = new byte[IndexLength + 1 + sizeof(ulong)];
        contactIndex.CopyTo(key);
        key[IndexLength] = (byte)direction;
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(IndexLength + 1), sequence);
        return key;
    }

    public void Dispose()
    {
        _sealKey.Dispose();
        _indexKey.Dispose();
    }
}
