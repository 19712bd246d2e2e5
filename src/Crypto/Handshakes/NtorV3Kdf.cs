using System.Security.Cryptography;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The key schedule of ntor v3 (proposal 332, "The handshake in detail" with the A.1 instantiation), one
/// method per derived value so that tests can check each intermediate against the published vector using the
/// very code the handshake runs.
/// </summary>
internal static class NtorV3Kdf
{
    /// <summary>ENC_KEY_LEN = MAC_KEY_LEN = DIGEST_LEN = MAC_LEN = PUB_KEY_LEN = ID_LEN = 32.</summary>
    public const int KeyLength = 32;

    /// <summary>Every hash input fits this with labels of at most <see cref="NtorV3Labels.MaxLabelLength"/> bytes.</summary>
    private const int ScratchLength = Sha3Kdf.StackLimit;

    /// <summary>
    /// phase1_keys = KDF_msgkdf(Bx | ID | X | B | PROTOID | ENCAP(VER)); (ENC_K1, MAC_K1) = its first 64 bytes.
    /// </summary>
    public static void DerivePhase1Keys(
        NtorV3Labels labels,
        ReadOnlySpan<byte> sharedBx,
        ReadOnlySpan<byte> id,
        ReadOnlySpan<byte> clientX,
        ReadOnlySpan<byte> onionKeyB,
        Span<byte> encK1,
        Span<byte> macK1)
    {
        var input = new Sha3KdfInput(stackalloc byte[ScratchLength]);
        Span<byte> keys = stackalloc byte[2 * KeyLength];
        input.Append(labels.MsgKdfTweak);
        input.Append(sharedBx);
        input.Append(id);
        input.Append(clientX);
        input.Append(onionKeyB);
        input.Append(labels.ProtocolId);
        input.Append(labels.EncapVerification);
        Sha3Kdf.Shake(input.Written, keys);
        keys[..KeyLength].CopyTo(encK1);
        keys[KeyLength..].CopyTo(macK1);
        input.Clear();
        CryptographicOperations.ZeroMemory(keys);
    }

    /// <summary>msg_mac = MAC_msgmac(MAC_K1, ID | B | X | encrypted_msg).</summary>
    public static void ComputeMessageMac(
        NtorV3Labels labels,
        ReadOnlySpan<byte> macK1,
        ReadOnlySpan<byte> id,
        ReadOnlySpan<byte> onionKeyB,
        ReadOnlySpan<byte> clientX,
        ReadOnlySpan<byte> encryptedMessage,
        Span<byte> mac)
    {
        var input = new Sha3KdfInput(stackalloc byte[ScratchLength]);
        input.Append(labels.MsgMacTweak);
        input.AppendEncap(macK1);
        input.Append(id);
        input.Append(onionKeyB);
        input.Append(clientX);
        input.Append(encryptedMessage);
        Sha3Kdf.Sha3(input.Written, mac);
        input.Clear();
    }

    /// <summary>
    /// secret_input = Xy | Xb | ID | B | X | Y | PROTOID | ENCAP(VER) (the client's Yx | Bx are the same values);
    /// ntor_key_seed = H_key_seed(secret_input); verify = H_verify(secret_input).
    /// </summary>
    public static void DeriveKeySeedAndVerify(
        NtorV3Labels labels,
        ReadOnlySpan<byte> sharedXy,
        ReadOnlySpan<byte> sharedXb,
        ReadOnlySpan<byte> id,
        ReadOnlySpan<byte> onionKeyB,
        ReadOnlySpan<byte> clientX,
        ReadOnlySpan<byte> serverY,
        Span<byte> keySeed,
        Span<byte> verify)
    {
        // Both hashes take the same secret_input after a different tweak; write it once after room for either.
        var tweakRoom = Math.Max(labels.KeySeedTweak.Length, labels.VerifyTweak.Length);
        Span<byte> scratch = stackalloc byte[ScratchLength];
        var secretInput = new Sha3KdfInput(scratch[tweakRoom..]);
        secretInput.Append(sharedXy);
        secretInput.Append(sharedXb);
        secretInput.Append(id);
        secretInput.Append(onionKeyB);
        secretInput.Append(clientX);
        secretInput.Append(serverY);
        secretInput.Append(labels.ProtocolId);
        secretInput.Append(labels.EncapVerification);
        var secretLength = secretInput.Written.Length;

        var seedStart = tweakRoom - labels.KeySeedTweak.Length;
        labels.KeySeedTweak.CopyTo(scratch[seedStart..]);
        Sha3Kdf.Sha3(scratch[seedStart..(tweakRoom + secretLength)], keySeed);

        var verifyStart = tweakRoom - labels.VerifyTweak.Length;
        labels.VerifyTweak.CopyTo(scratch[verifyStart..]);
        Sha3Kdf.Sha3(scratch[verifyStart..(tweakRoom + secretLength)], verify);

        CryptographicOperations.ZeroMemory(scratch[..(tweakRoom + secretLength)]);
    }

    /// <summary>
    /// RAW_KEYSTREAM = KDF_final(ntor_key_seed) = ENC_KEY | KEYSTREAM: writes ENC_KEY and returns the rest.
    /// </summary>
    public static NtorKeyStreamReader DeriveFinalKeys(NtorV3Labels labels, ReadOnlySpan<byte> keySeed, Span<byte> encKey)
    {
        var sponge = default(Shake256Sponge);
        sponge.Absorb(labels.FinalTweak);
        sponge.Absorb(keySeed);
        sponge.Squeeze(encKey[..KeyLength]);
        return new NtorKeyStreamReader(ref sponge);
    }

    /// <summary>
    /// AUTH = H_auth(verify | ID | B | Y | X | MAC | ENCAP(encrypted_msg) | PROTOID | "Server").
    /// </summary>
    public static void ComputeAuth(
        NtorV3Labels labels,
        ReadOnlySpan<byte> verify,
        ReadOnlySpan<byte> id,
        ReadOnlySpan<byte> onionKeyB,
        ReadOnlySpan<byte> serverY,
        ReadOnlySpan<byte> clientX,
        ReadOnlySpan<byte> messageMac,
        ReadOnlySpan<byte> encryptedServerMessage,
        Span<byte> auth)
    {
        var input = new Sha3KdfInput(stackalloc byte[ScratchLength]);
        input.Append(labels.AuthTweak);
        input.Append(verify);
        input.Append(id);
        input.Append(onionKeyB);
        input.Append(serverY);
        input.Append(clientX);
        input.Append(messageMac);
        input.AppendEncap(encryptedServerMessage);
        input.Append(labels.ProtocolId);
        input.Append("Server"u8);
        Sha3Kdf.Sha3(input.Written, auth);
        input.Clear();
    }

    /// <summary>ENC(k, m) = AES-256-CTR with a zero IV, in place: every ENC key is used for one message only.</summary>
    public static void Encrypt(ReadOnlySpan<byte> key, Span<byte> message)
    {
        if (!message.IsEmpty)
        {
            Span<byte> zeroIv = stackalloc byte[16];
            zeroIv.Clear();
            AesCtr.Xor(key, zeroIv, message);
        }
    }
}
