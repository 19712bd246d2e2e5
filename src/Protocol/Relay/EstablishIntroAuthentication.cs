using System.Buffers.Binary;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Relay;

/// <summary>What checking an ESTABLISH_INTRO found.</summary>
public enum EstablishIntroCheck
{
    /// <summary>The MAC binds it to this circuit and AUTH_KEY signed it.</summary>
    Valid = 0,

    /// <summary>HANDSHAKE_AUTH is not the MAC under this circuit's KH: made for another circuit, or forged.</summary>
    BadMac,

    /// <summary>The signature is not AUTH_KEY's over the signed bytes (or AUTH_KEY is no valid point).</summary>
    BadSignature,
}

/// <summary>
/// The two proofs in ESTABLISH_INTRO (rend-spec-v3 §3.1.1, HiddenPoint's prefix): HANDSHAKE_AUTH =
/// MAC(KH, bytes before it), with MAC(key, msg) = SHA3-256(u64_be(len(key)) · key · msg) and KH the circuit's binding
/// key (<see cref="CircuitKeySchedule"/>), so the message cannot be replayed on another circuit; and an Ed25519
/// signature by AUTH_KEY over <see cref="SignaturePrefix"/> · the bytes before the signature length, so only the
/// holder of the introduction point's key can register it. The hidden point makes them with <see cref="Create"/>;
/// the introduction point checks them with <see cref="Check"/>.
/// </summary>
public static class EstablishIntroAuthentication
{
    /// <summary>Prepended to the signed bytes: rend-spec-v3's "Tor establish-intro cell v1" in HiddenPoint's form.</summary>
    public static ReadOnlySpan<byte> SignaturePrefix => "hpc establish-intro cell v1"u8;

    /// <summary>
    /// The ESTABLISH_INTRO a hidden point sends on the circuit whose binding key is <paramref name="bindingKey"/>,
    /// registering <paramref name="authKey"/>'s public half.
    /// </summary>
    public static EstablishIntroMessage Create(HsIntroAuthSigningKey authKey, IReadOnlyList<Extension>? extensions, ReadOnlySpan<byte> bindingKey)
    {
        ArgumentNullException.ThrowIfNull(authKey);
        CheckBindingKey(bindingKey);
        var draft = new EstablishIntroMessage(authKey.PublicKey.Bytes, extensions, stackalloc byte[HiddenPointWire.MacLength], stackalloc byte[HiddenPointWire.SignatureLength]);
        var encoded = draft.EncodeData();
        Span<byte> mac = stackalloc byte[HiddenPointWire.MacLength];
        ComputeMac(bindingKey, encoded.AsSpan(0, draft.MacCoveredLength), mac);
        mac.CopyTo(encoded.AsSpan(draft.MacCoveredLength));
        Span<byte> signature = stackalloc byte[HiddenPointWire.SignatureLength];
        authKey.Sign(SignedBytes(encoded.AsSpan(0, draft.SignatureCoveredLength)), signature);
        return new EstablishIntroMessage(authKey.PublicKey.Bytes, extensions, mac, signature);
    }

    /// <summary>
    /// Checks <paramref name="message"/>, decoded from <paramref name="data"/> (its exact wire bytes), against the
    /// binding key of the circuit it arrived on. The MAC is compared in constant time and checked first: a message
    /// made for another circuit costs no signature check. Never throws on what a peer sent.
    /// </summary>
    public static EstablishIntroCheck Check(ReadOnlySpan<byte> data, EstablishIntroMessage message, ReadOnlySpan<byte> bindingKey)
    {
        ArgumentNullException.ThrowIfNull(message);
        CheckBindingKey(bindingKey);
        if (data.Length != message.DataLength)
        {
            throw new ArgumentException("The data is not the message's encoding.", nameof(data));
        }

        Span<byte> expected = stackalloc byte[HiddenPointWire.MacLength];
        ComputeMac(bindingKey, data[..message.MacCoveredLength], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, message.HandshakeAuth))
        {
            return EstablishIntroCheck.BadMac;
        }

        var authKey = Ed25519PublicKey.FromBytes(message.AuthKey);
        return authKey.Verify(SignedBytes(data[..message.SignatureCoveredLength]), message.Signature)
            ? EstablishIntroCheck.Valid
            : EstablishIntroCheck.BadSignature;
    }

    /// <summary>HANDSHAKE_AUTH = SHA3-256(u64_be(len(KH)) · KH · <paramref name="covered"/>).</summary>
    internal static void ComputeMac(ReadOnlySpan<byte> bindingKey, ReadOnlySpan<byte> covered, Span<byte> mac)
    {
        // A relay cell's data is at most 490 bytes, so the input always fits on the stack.
        Span<byte> input = stackalloc byte[8 + CircuitKeySchedule.BindingKeyLength + RelayCell.MaxDataWithoutStream];
        var length = 8 + bindingKey.Length + covered.Length;
        input = input[..length];
        BinaryPrimitives.WriteUInt64BigEndian(input, (ulong)bindingKey.Length);
        bindingKey.CopyTo(input[8..]);
        covered.CopyTo(input[(8 + bindingKey.Length)..]);
        SHA3_256.HashData(input, mac);
        CryptographicOperations.ZeroMemory(input);
    }

    private static byte[] SignedBytes(ReadOnlySpan<byte> covered)
    {
        var signed = new byte[SignaturePrefix.Length + covered.Length];
        SignaturePrefix.CopyTo(signed);
        covered.CopyTo(signed.AsSpan(SignaturePrefix.Length));
        return signed;
    }

    private static void CheckBindingKey(ReadOnlySpan<byte> bindingKey)
    {
        if (bindingKey.Length != CircuitKeySchedule.BindingKeyLength)
        {
            throw new ArgumentException($"The binding key is {CircuitKeySchedule.BindingKeyLength} bytes.", nameof(bindingKey));
        }
    }
}
