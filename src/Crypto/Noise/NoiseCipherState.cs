using System.Buffers.Binary;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Interop;

namespace HiddenPoint.Crypto.Noise;

/// <summary>
/// A Noise CipherState (Noise revision 34, §5.1): an AEAD key and a 64-bit nonce counter that advances once per
/// message. After a handshake, <see cref="NoiseTransport"/> holds one per direction; a link seals each frame with
/// <see cref="Encrypt(ReadOnlySpan{byte}, Span{byte})"/> and opens it with
/// <see cref="Decrypt(ReadOnlySpan{byte}, Span{byte})"/>, both working in the caller's buffers without allocating.
/// </summary>
/// <remarks>
/// Messages must be opened in the order they were sealed: the nonce is implicit, so a dropped, replayed or reordered
/// frame fails to decrypt. A failed decryption leaves the counter where it was. Not thread-safe: one owner (the link's
/// reader or writer loop) per instance.
/// </remarks>
public sealed class NoiseCipherState : IDisposable
{
    /// <summary>Bytes an AEAD tag adds to every sealed message.</summary>
    public const int TagLength = NoiseConstants.TagLength;

    /// <summary>Noise's bound on any message, tag included (§3).</summary>
    public const int MaxMessageLength = NoiseConstants.MaxMessageLength;

    /// <summary>Noise reserves the last nonce value for <see cref="Rekey"/>; reaching it ends this state's use.</summary>
    private const ulong ReservedNonce = ulong.MaxValue;

    private readonly NoiseCipher _cipher;

    // Pinned, so the GC never leaves a copy of the key behind; zeroed on Dispose. Sealing goes to libsodium directly
    // (see Interop.Aead): a handshake installs five keys per side, and guarded per-key memory would dominate its cost.
    private readonly byte[] _key = GC.AllocateUninitializedArray<byte>(NoiseConstants.KeyLength, pinned: true);
    private bool _hasKey;
    private ulong _nonce;
    private bool _disposed;

    internal NoiseCipherState(NoiseCipher cipher) => _cipher = cipher;

    /// <summary>The nonce the next <c>Encrypt</c> or <c>Decrypt</c> will use (the number of messages so far).</summary>
    public ulong NextNonce => _nonce;

    /// <summary>Which AEAD this state uses.</summary>
    public NoiseCipher Cipher => _cipher;

    internal bool HasKey => _hasKey;

    /// <summary>
    /// Seals <paramref name="plaintext"/> into the first <c>plaintext.Length + TagLength</c> bytes of
    /// <paramref name="ciphertext"/>, with empty associated data (Noise transport messages).
    /// </summary>
    public NoiseError Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext) =>
        Encrypt(default, plaintext, ciphertext);

    /// <summary>
    /// Seals <paramref name="plaintext"/> with <paramref name="associatedData"/> into the first
    /// <c>plaintext.Length + TagLength</c> bytes of <paramref name="ciphertext"/>, which may be the same memory as
    /// <paramref name="plaintext"/> (same start) but must not otherwise overlap it.
    /// </summary>
    /// <returns><see cref="NoiseError.None"/>, <see cref="NoiseError.PayloadTooLarge"/> or
    /// <see cref="NoiseError.NonceExhausted"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="ciphertext"/> is too small.</exception>
    public NoiseError Encrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        KeyOrThrow();
        if (plaintext.Length > MaxMessageLength - TagLength)
        {
            return NoiseError.PayloadTooLarge;
        }

        var sealedLength = plaintext.Length + TagLength;
        if (ciphertext.Length < sealedLength)
        {
            throw new ArgumentException($"The ciphertext buffer needs {sealedLength} bytes.", nameof(ciphertext));
        }

        if (_nonce == ReservedNonce)
        {
            return NoiseError.NonceExhausted;
        }

        Seal(_nonce, associatedData, plaintext, ciphertext[..sealedLength]);
        _nonce++;
        return NoiseError.None;
    }

    /// <summary>
    /// Opens <paramref name="ciphertext"/> (empty associated data) into the first <c>ciphertext.Length - TagLength</c>
    /// bytes of <paramref name="plaintext"/>.
    /// </summary>
    public NoiseError Decrypt(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext) =>
        Decrypt(default, ciphertext, plaintext);

    /// <summary>
    /// Opens <paramref name="ciphertext"/> with <paramref name="associatedData"/> into the first
    /// <c>ciphertext.Length - TagLength</c> bytes of <paramref name="plaintext"/> (which may start at the same memory).
    /// Bytes from the peer never cause an exception.
    /// </summary>
    /// <returns><see cref="NoiseError.None"/>; <see cref="NoiseError.DecryptFailed"/> when the tag does not verify
    /// (the nonce does not advance, and the plaintext bytes must be ignored); <see cref="NoiseError.Truncated"/>,
    /// <see cref="NoiseError.MessageTooLarge"/>, <see cref="NoiseError.BufferTooSmall"/> or
    /// <see cref="NoiseError.NonceExhausted"/>.</returns>
    public NoiseError Decrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        KeyOrThrow();
        if (ciphertext.Length > MaxMessageLength)
        {
            return NoiseError.MessageTooLarge;
        }

        if (ciphertext.Length < TagLength)
        {
            return NoiseError.Truncated;
        }

        var openedLength = ciphertext.Length - TagLength;
        if (plaintext.Length < openedLength)
        {
            return NoiseError.BufferTooSmall;
        }

        if (_nonce == ReservedNonce)
        {
            return NoiseError.NonceExhausted;
        }

        if (!Open(_nonce, associatedData, ciphertext, plaintext[..openedLength]))
        {
            return NoiseError.DecryptFailed;
        }

        _nonce++;
        return NoiseError.None;
    }

    /// <summary>
    /// Replaces the key with REKEY(k): the first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes) (§4.2, §11.3).
    /// The nonce counter is kept. Both peers must rekey at the same point in the message stream.
    /// </summary>
    public void Rekey()
    {
        KeyOrThrow();
        Span<byte> zeros = stackalloc byte[NoiseConstants.KeyLength];
        zeros.Clear();
        Span<byte> sealedZeros = stackalloc byte[NoiseConstants.KeyLength + TagLength];
        try
        {
            Seal(ReservedNonce, default, zeros, sealedZeros);
            ReplaceKey(sealedZeros[..NoiseConstants.KeyLength]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sealedZeros);
        }
    }

    /// <summary>Destroys the key.</summary>
    public void Dispose()
    {
        _disposed = true;
        _hasKey = false;
        CryptographicOperations.ZeroMemory(_key);
    }

    /// <summary>InitializeKey(k): a new key, nonce back to zero.</summary>
    internal void InitializeKey(ReadOnlySpan<byte> key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReplaceKey(key);
        _nonce = 0;
    }

    /// <summary>
    /// Sets the nonce counter. Only tests use this, to reach the reserved nonce without 2^64 messages; a link must
    /// never move a nonce by hand.
    /// </summary>
    internal void SetNonceForTestsOnly(ulong nonce) => _nonce = nonce;

    /// <summary>
    /// EncryptWithAd as the handshake uses it: without a key the plaintext passes through unchanged.
    /// <paramref name="output"/> must have exactly the sealed length.
    /// </summary>
    internal NoiseError EncryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        if (!_hasKey)
        {
            plaintext.CopyTo(output);
            return NoiseError.None;
        }

        if (_nonce == ReservedNonce)
        {
            return NoiseError.NonceExhausted;
        }

        Seal(_nonce, associatedData, plaintext, output);
        _nonce++;
        return NoiseError.None;
    }

    /// <summary>
    /// DecryptWithAd as the handshake uses it: without a key the bytes pass through unchanged.
    /// <paramref name="output"/> must have exactly the opened length.
    /// </summary>
    internal NoiseError DecryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> output)
    {
        if (!_hasKey)
        {
            ciphertext.CopyTo(output);
            return NoiseError.None;
        }

        if (_nonce == ReservedNonce)
        {
            return NoiseError.NonceExhausted;
        }

        if (!Open(_nonce, associatedData, ciphertext, output))
        {
            return NoiseError.DecryptFailed;
        }

        _nonce++;
        return NoiseError.None;
    }

    private void KeyOrThrow()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_hasKey)
        {
            throw new InvalidOperationException("This cipher state has no key yet.");
        }
    }

    private void ReplaceKey(ReadOnlySpan<byte> key)
    {
        key.CopyTo(_key);
        _hasKey = true;
    }

    private void Seal(ulong counter, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Span<byte> nonce = stackalloc byte[NoiseConstants.NonceLength];
        FormatNonce(counter, nonce);
        Aead.Seal(_cipher == NoiseCipher.AesGcm, _key, nonce, associatedData, plaintext, ciphertext);
    }

    private bool Open(ulong counter, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[NoiseConstants.NonceLength];
        FormatNonce(counter, nonce);
        return Aead.TryOpen(_cipher == NoiseCipher.AesGcm, _key, nonce, associatedData, ciphertext, plaintext);
    }

    /// <summary>Both ciphers take 32 zero bits then the counter; they differ only in the counter's byte order.</summary>
    private void FormatNonce(ulong counter, Span<byte> nonce)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(nonce, 0);
        if (_cipher == NoiseCipher.AesGcm)
        {
            BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], counter);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], counter);
        }
    }
}
