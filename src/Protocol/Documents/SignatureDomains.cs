using System.Buffers.Binary;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// The prefixes that separate what each kind of signature covers, so that a signature made for one purpose can never
/// be replayed as another. Each ends in a NUL byte, which no document contains, so a prefix and the bytes after
/// it split in one way only.
/// </summary>
internal static class SignatureDomains
{
    public static ReadOnlySpan<byte> RelayDescriptor => "hpc-relay-descriptor-signature\0"u8;

    public static ReadOnlySpan<byte> KeyCertificate => "hpc-relay-key-certificate\0"u8;

    public static ReadOnlySpan<byte> Vote => "hpc-vote-signature\0"u8;

    public static ReadOnlySpan<byte> Consensus => "hpc-consensus-signature\0"u8;
}

/// <summary>The key a relay identity certifies in a descriptor.</summary>
internal enum CertifiedKeyRole : byte
{
    /// <summary>The Noise static key (<c>link-key-cert</c>).</summary>
    Link = 1,

    /// <summary>The ntor v3 key (<c>circuit-handshake-key-cert</c>).</summary>
    CircuitHandshake = 2,
}

/// <summary>
/// A certificate line: the relay identity's signature over
/// <c>"hpc-relay-key-certificate\0" | role (1 byte) | key (32) | expiry (8, big-endian Unix seconds)</c>.
/// </summary>
internal static class KeyCertificate
{
    public const int MessageLength = 26 + 1 + X25519PublicKey.Length + 8;

    public static void WriteMessage(CertifiedKeyRole role, X25519PublicKey key, DateTimeOffset expires, Span<byte> message)
    {
        var prefix = SignatureDomains.KeyCertificate;
        prefix.CopyTo(message);
        message[prefix.Length] = (byte)role;
        key.Bytes.CopyTo(message[(prefix.Length + 1)..]);
        BinaryPrimitives.WriteInt64BigEndian(message[(prefix.Length + 1 + X25519PublicKey.Length)..], expires.ToUnixTimeSeconds());
    }

    public static byte[] Sign(RelayIdentityKey identity, CertifiedKeyRole role, X25519PublicKey key, DateTimeOffset expires)
    {
        Span<byte> message = stackalloc byte[MessageLength];
        WriteMessage(role, key, expires, message);
        return identity.Sign(message);
    }

    public static bool Verify(RelayId identity, CertifiedKeyRole role, X25519PublicKey key, DateTimeOffset expires, ReadOnlySpan<byte> signature)
    {
        Span<byte> message = stackalloc byte[MessageLength];
        WriteMessage(role, key, expires, message);
        return identity.Key.Verify(message, signature);
    }
}
