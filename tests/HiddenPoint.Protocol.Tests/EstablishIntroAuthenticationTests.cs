using System.Security.Cryptography;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Tests;

public sealed class EstablishIntroAuthenticationTests
{
    [Fact]
    public void A_message_made_for_a_circuit_checks_on_that_circuit()
    {
        using var authKey = HsIntroAuthSigningKey.Generate();
        var bindingKey = RandomNumberGenerator.GetBytes(32);

        var (data, message) = Decode(EstablishIntroAuthentication.Create(authKey, [new Extension(1, [7, 7])], bindingKey));

        Assert.Equal(EstablishIntroCheck.Valid, EstablishIntroAuthentication.Check(data, message, bindingKey));
        Assert.True(authKey.PublicKey.Bytes.SequenceEqual(message.AuthKey));
    }

    [Fact]
    public void Another_circuits_binding_key_is_a_bad_mac()
    {
        using var authKey = HsIntroAuthSigningKey.Generate();
        var bindingKey = RandomNumberGenerator.GetBytes(32);
        var (data, message) = Decode(EstablishIntroAuthentication.Create(authKey, null, bindingKey));

        bindingKey[31] ^= 1;

        Assert.Equal(EstablishIntroCheck.BadMac, EstablishIntroAuthentication.Check(data, message, bindingKey));
    }

    [Fact]
    public void A_changed_signature_or_signed_byte_is_a_bad_signature()
    {
        using var authKey = HsIntroAuthSigningKey.Generate();
        var bindingKey = RandomNumberGenerator.GetBytes(32);
        var made = EstablishIntroAuthentication.Create(authKey, null, bindingKey);
        var signature = made.Signature.ToArray();
        signature[5] ^= 0x10;

        var (data, message) = Decode(new EstablishIntroMessage(made.AuthKey, null, made.HandshakeAuth, signature));

        Assert.Equal(EstablishIntroCheck.BadSignature, EstablishIntroAuthentication.Check(data, message, bindingKey));
    }

    [Fact]
    public void Another_keys_signature_is_refused()
    {
        using var authKey = HsIntroAuthSigningKey.Generate();
        using var otherKey = HsIntroAuthSigningKey.Generate();
        var bindingKey = RandomNumberGenerator.GetBytes(32);
        var signedByOther = EstablishIntroAuthentication.Create(otherKey, null, bindingKey);

        // AUTH_KEY says one key, the MAC is right for the circuit, the signature is the other key's.
        var claimed = new EstablishIntroMessage(authKey.PublicKey.Bytes, null, signedByOther.HandshakeAuth, signedByOther.Signature);
        var (data, message) = Decode(claimed);

        Assert.NotEqual(EstablishIntroCheck.Valid, EstablishIntroAuthentication.Check(data, message, bindingKey));
    }

    [Fact]
    public void An_auth_key_that_is_no_point_is_a_bad_signature_not_a_fault()
    {
        var bindingKey = RandomNumberGenerator.GetBytes(32);
        var notAPoint = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        var draft = new EstablishIntroMessage(notAPoint, null, new byte[32], new byte[64]);
        var encoded = draft.EncodeData();

        // Only a message whose MAC is right reaches the signature check: the MAC is made over the draft's bytes.
        var (data, message) = Decode(new EstablishIntroMessage(notAPoint, null, MacFor(draft, encoded, bindingKey), new byte[64]));

        Assert.Equal(EstablishIntroCheck.BadSignature, EstablishIntroAuthentication.Check(data, message, bindingKey));
    }

    private static byte[] MacFor(EstablishIntroMessage draft, byte[] encoded, byte[] bindingKey)
    {
        var input = new byte[8 + bindingKey.Length + draft.MacCoveredLength];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(input, (ulong)bindingKey.Length);
        bindingKey.CopyTo(input, 8);
        encoded.AsSpan(0, draft.MacCoveredLength).CopyTo(input.AsSpan(8 + bindingKey.Length));
        return SHA3_256.HashData(input);
    }

    private static (byte[] Data, EstablishIntroMessage Message) Decode(EstablishIntroMessage message)
    {
        var data = message.EncodeData();
        var reader = new WireReader(data);
        Assert.True(EstablishIntroMessage.TryDecode(ref reader, out var decoded, out var error), error.ToString());
        return (data, decoded);
    }
}
