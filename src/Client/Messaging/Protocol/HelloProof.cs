using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Protocol;

/// <summary>
/// The proof a Hello carries: the connecting side's identity key signs a fixed context string followed by the
/// connection's 32-byte channel binding, a value both ends derive from the rendezvous handshake of this one
/// connection. A proof recorded on one connection therefore fails on any other.
/// </summary>
public static class HelloProof
{
    /// <summary>The context string, ASCII, signed before the binding (docs/messaging.md, "Hello").</summary>
    public static ReadOnlySpan<byte> Context => "hpc messaging hello v1"u8;

    /// <summary>Bytes signed: the context followed by the binding.</summary>
    public static int SignedLength => Context.Length + ConversationLimits.ChannelBindingLength;

    /// <summary>Signs the binding of this connection with the sender's identity key.</summary>
    public static byte[] Sign(HiddenPointIdentitySecretKey identity, ReadOnlySpan<byte> channelBinding)
    {
        ArgumentNullException.ThrowIfNull(identity);
        Span<byte> signed = stackalloc byte[SignedLength];
        WriteSigned(channelBinding, signed);
        var signature = new byte[HiddenPointIdentitySecretKey.SignatureLength];
        identity.Sign(signed, signature);
        return signature;
    }

    /// <summary>True when <paramref name="hello"/>'s signature is its key's over this connection's binding.</summary>
    public static bool Verify(HelloFrame hello, ReadOnlySpan<byte> channelBinding)
    {
        ArgumentNullException.ThrowIfNull(hello);
        Span<byte> signed = stackalloc byte[SignedLength];
        WriteSigned(channelBinding, signed);
        return hello.IdentityKey.Key.Verify(signed, hello.Signature.Span);
    }

    private static void WriteSigned(ReadOnlySpan<byte> channelBinding, Span<byte> signed)
    {
        if (channelBinding.Length != ConversationLimits.ChannelBindingLength)
        {
            throw new ArgumentException($"A channel binding is {ConversationLimits.ChannelBindingLength} bytes.", nameof(channelBinding));
        }

        Context.CopyTo(signed);
        channelBinding.CopyTo(signed[Context.Length..]);
    }
}
