using System.Buffers.Binary;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Testing;

/// <summary>Hidden-ids of real identity keys, for tests that need contacts but no hidden point.</summary>
public static class TestHiddenIds
{
    /// <summary>A new random hidden-id.</summary>
    public static HiddenId Random()
    {
        using var key = HiddenPointIdentitySecretKey.Generate();
        return key.PublicKey.ToHiddenId();
    }

    /// <summary>The same hidden-id for the same <paramref name="seed"/>, in every process.</summary>
    public static HiddenId FromSeed(int seed)
    {
        Span<byte> bytes = stackalloc byte[32];
        BinaryPrimitives.WriteInt32BigEndian(bytes, seed);
        using var key = HiddenPointIdentitySecretKey.FromSeed(bytes);
        return key.PublicKey.ToHiddenId();
    }
}
