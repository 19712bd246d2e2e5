using System.Buffers;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The key schedule of hs_ntor (rend-spec-v3 §3.3), one method per derived value so that tests check each
/// intermediate of appendix G.1 with the code the handshake runs. MAC(key, msg) = SHA3-256(u64_be(len(key)) |
/// key | msg); KDF = SHAKE-256; ENC = AES-256-CTR with a zero IV.
/// </summary>
internal static class HsNtorKdf
{
    /// <summary>S_KEY_LEN = MAC_KEY_LEN = MAC_LEN = PUB_KEY_LEN = 32.</summary>
    public const int KeyLength = 32;

    private const int ScratchLength = Sha3Kdf.StackLimit;

    /// <summary>
    /// intro_secret_hs_input = EXP(B,x) | AUTH_KEY | X | B | PROTOID; hs_keys = SHAKE-256(intro_secret_hs_input |
    /// t_hsenc | m_hsexpand | N_hs_subcred)[0:64] = ENC_KEY | MAC_KEY.
    /// </summary>
    public static void DeriveIntroKeys(
        HsNtorLabels labels,
        ReadOnlySpan<byte> sharedBx,
        ReadOnlySpan<byte> authKey,
        ReadOnlySpan<byte> clientX,
        ReadOnlySpan<byte> introKeyB,
        ReadOnlySpan<byte> subcredential,
        Span<byte> encKey,
        Span<byte> macKey)
    {
        var input = new Sha3KdfInput(stackalloc byte[ScratchLength]);
        Span<byte> keys = stackalloc byte[2 * KeyLength];
        input.Append(sharedBx);
        input.Append(authKey);
        input.Append(clientX);
        input.Append(introKeyB);
        input.Append(labels.ProtocolId);
        input.Append(labels.KeyExtractTweak);
        input.Append(labels.KeyExpandTweak);
        input.Append(subcredential);
        Sha3Kdf.Shake(input.Written, keys);
        keys[..KeyLength].CopyTo(encKey);
        keys[KeyLength..].CopyTo(macKey);
        input.Clear();
        CryptographicOperations.ZeroMemory(keys);
    }

    /// <summary>MAC(key, m1 | m2 | m3) = SHA3-256(u64_be(len(key)) | key | m1 | m2 | m3).</summary>
    public static void Mac(
        ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> message1,
        ReadOnlySpan<byte> message2,
        ReadOnlySpan<byte> message3,
        Span<byte> mac)
    {
        var length = Sha3Kdf.EncapPrefixLength + key.Length + message1.Length + message2.Length + message3.Length;
        byte[]? rented = null;
        Span<byte> buffer = length <= ScratchLength ? stackalloc byte[ScratchLength] : (rented = ArrayPool<byte>.Shared.Rent(length));
        var input = new Sha3KdfInput(buffer);
        try
        {
            input.AppendEncap(key);
            input.Append(message1);
            input.Append(message2);
            input.Append(message3);
            Sha3Kdf.Sha3(input.Written, mac);
        }
        finally
        {
            input.Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// rend_secret_hs_input = EXP(X,y) | EXP(X,b) | AUTH_KEY | B | X | Y | PROTOID (the client's EXP(Y,x) | EXP(B,x)
    /// are the same values); NTOR_KEY_SEED = MAC(rend_secret_hs_input, t_hsenc); verify = MAC(rend_secret_hs_input,
    /// t_hsverify); auth_input = verify | AUTH_KEY | B | Y | X | PROTOID | "Server"; AUTH_INPUT_MAC = MAC(auth_input, t_hsmac).
    /// </summary>
    public static void DeriveRendezvousKeys(
        HsNtorLabels labels,
        ReadOnlySpan<byte> sharedXy,
        ReadOnlySpan<byte> sharedXb,
        ReadOnlySpan<byte> authKey,
        ReadOnlySpan<byte> introKeyB,
        ReadOnlySpan<byte> clientX,
        ReadOnlySpan<byte> serverY,
        Span<byte> ntorKeySeed,
        Span<byte> authInputMac)
    {
        var secret = new Sha3KdfInput(stackalloc byte[ScratchLength]);
        var authInput = new Sha3KdfInput(stackalloc byte[ScratchLength]);
        Span<byte> verify = stackalloc byte[KeyLength];
        try
        {
            secret.Append(sharedXy);
            secret.Append(sharedXb);
            secret.Append(authKey);
            secret.Append(introKeyB);
            secret.Append(clientX);
            secret.Append(serverY);
            secret.Append(labels.ProtocolId);
            Mac(secret.Written, labels.KeyExtractTweak, default, default, ntorKeySeed);
            Mac(secret.Written, labels.VerifyTweak, default, default, verify);

            authInput.Append(verify);
            authInput.Append(authKey);
            authInput.Append(introKeyB);
            authInput.Append(serverY);
            authInput.Append(clientX);
            authInput.Append(labels.ProtocolId);
            authInput.Append("Server"u8);
            Mac(authInput.Written, labels.MacTweak, default, default, authInputMac);
        }
        finally
        {
            secret.Clear();
            authInput.Clear();
            CryptographicOperations.ZeroMemory(verify);
        }
    }

    /// <summary>The circuit key stream SHAKE-256(NTOR_KEY_SEED | m_hsexpand) (rend-spec-v3 "Key expansion").</summary>
    public static NtorKeyStreamReader ExpandKeys(HsNtorLabels labels, ReadOnlySpan<byte> ntorKeySeed)
    {
        var sponge = default(Shake256Sponge);
        sponge.Absorb(ntorKeySeed);
        sponge.Absorb(labels.KeyExpandTweak);
        return new NtorKeyStreamReader(ref sponge);
    }

    /// <summary>STREAM(ENC_KEY) = AES-256-CTR with a zero IV, in place.</summary>
    public static void Encrypt(ReadOnlySpan<byte> key, Span<byte> data) => NtorV3Kdf.Encrypt(key, data);
}
