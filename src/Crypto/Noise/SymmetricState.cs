using System.Security.Cryptography;

namespace HiddenPoint.Crypto.Noise;

/// <summary>
/// The Noise SymmetricState (Noise revision 34, §5.2): the chaining key <c>ck</c>, the handshake hash <c>h</c> and
/// the handshake's CipherState. Hash is SHA-256; HKDF with two outputs is RFC 5869 HKDF-SHA256 with salt
/// <c>ck</c>, empty info and 64 bytes of output, which is exactly the construction of §4.3.
/// </summary>
internal sealed class SymmetricState : IDisposable
{
    private readonly byte[] _chainingKey = new byte[NoiseConstants.HashLength];
    private readonly byte[] _handshakeHash = new byte[NoiseConstants.HashLength];
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly NoiseProtocol _protocol;
    private readonly NoiseCipherState _cipher;

    /// <summary>InitializeSymmetric(protocol_name).</summary>
    public SymmetricState(NoiseProtocol protocol)
    {
        _protocol = protocol;
        _cipher = new NoiseCipherState(protocol.Cipher);
        var name = protocol.GetNameBytes();
        if (name.Length <= NoiseConstants.HashLength)
        {
            // Short names are used as h directly, zero-padded, rather than hashed.
            name.CopyTo(_handshakeHash, 0);
        }
        else
        {
            SHA256.HashData(name, _handshakeHash);
        }

        _handshakeHash.CopyTo(_chainingKey, 0);
    }

    public bool HasKey => _cipher.HasKey;

    public ReadOnlySpan<byte> HandshakeHash => _handshakeHash;

    /// <summary>MixKey(DH output): <c>ck, temp_k = HKDF(ck, dh, 2)</c>; the cipher key becomes <c>temp_k</c>.</summary>
    /// <remarks>The caller owns <paramref name="dhOutput"/> and wipes it; every intermediate here is wiped too.</remarks>
    public void MixKey(ReadOnlySpan<byte> dhOutput)
    {
        Span<byte> outputs = stackalloc byte[2 * NoiseConstants.HashLength];
        try
        {
            Hkdf(_chainingKey, dhOutput, outputs);
            outputs[..NoiseConstants.HashLength].CopyTo(_chainingKey);
            _cipher.InitializeKey(outputs.Slice(NoiseConstants.HashLength, NoiseConstants.KeyLength));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(outputs);
        }
    }

    /// <summary>MixHash(data): <c>h = SHA256(h || data)</c>.</summary>
    public void MixHash(ReadOnlySpan<byte> data)
    {
        _sha256.AppendData(_handshakeHash);
        _sha256.AppendData(data);
        _sha256.GetHashAndReset(_handshakeHash);
    }

    /// <summary>
    /// EncryptAndHash: seals <paramref name="plaintext"/> under the current key with <c>h</c> as associated data
    /// (or copies it while no key exists) into <paramref name="output"/>, then mixes the result into <c>h</c>.
    /// <paramref name="output"/> is exactly <c>plaintext.Length</c> (+ tag once keyed) long.
    /// </summary>
    public NoiseError EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        var error = _cipher.EncryptWithAd(_handshakeHash, plaintext, output);
        if (error == NoiseError.None)
        {
            MixHash(output);
        }

        return error;
    }

    /// <summary>
    /// DecryptAndHash: opens <paramref name="ciphertext"/> with <c>h</c> as associated data, then mixes the
    /// ciphertext (not the plaintext) into <c>h</c>. <paramref name="output"/> must not overlap the ciphertext.
    /// </summary>
    public NoiseError DecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> output)
    {
        var error = _cipher.DecryptWithAd(_handshakeHash, ciphertext, output);
        if (error == NoiseError.None)
        {
            MixHash(ciphertext);
        }

        return error;
    }

    /// <summary>
    /// Split(): <c>temp_k1, temp_k2 = HKDF(ck, empty, 2)</c>; the first cipher state carries initiator-to-responder
    /// messages, the second responder-to-initiator.
    /// </summary>
    public (NoiseCipherState InitiatorToResponder, NoiseCipherState ResponderToInitiator) Split()
    {
        Span<byte> outputs = stackalloc byte[2 * NoiseConstants.HashLength];
        var first = new NoiseCipherState(_protocol.Cipher);
        var second = new NoiseCipherState(_protocol.Cipher);
        try
        {
            Hkdf(_chainingKey, ReadOnlySpan<byte>.Empty, outputs);
            first.InitializeKey(outputs[..NoiseConstants.KeyLength]);
            second.InitializeKey(outputs.Slice(NoiseConstants.HashLength, NoiseConstants.KeyLength));
            return (first, second);
        }
        catch
        {
            first.Dispose();
            second.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(outputs);
        }
    }

    /// <summary>
    /// HKDF(ck, input, 2) spelled out as §4.3 defines it, for the DH outputs of MixKey and the empty input of Split
    /// (which NSec's and the platform's HKDF refuse), with the intermediate key wiped.
    /// </summary>
    private static void Hkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> input, Span<byte> outputs)
    {
        Span<byte> tempKey = stackalloc byte[NoiseConstants.HashLength];
        Span<byte> block = stackalloc byte[NoiseConstants.HashLength + 1];
        try
        {
            HMACSHA256.HashData(chainingKey, input, tempKey);

            // output1 = HMAC(temp_key, 0x01); output2 = HMAC(temp_key, output1 || 0x02).
            block[0] = 0x01;
            HMACSHA256.HashData(tempKey, block[..1], outputs[..NoiseConstants.HashLength]);
            outputs[..NoiseConstants.HashLength].CopyTo(block);
            block[NoiseConstants.HashLength] = 0x02;
            HMACSHA256.HashData(tempKey, block, outputs[NoiseConstants.HashLength..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(tempKey);
            CryptographicOperations.ZeroMemory(block);
        }
    }

    /// <summary>Erases <c>ck</c>, <c>h</c> and the handshake key.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_chainingKey);
        CryptographicOperations.ZeroMemory(_handshakeHash);
        _cipher.Dispose();
        _sha256.Dispose();
    }
}
