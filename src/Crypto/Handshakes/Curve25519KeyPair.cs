using System.Security.Cryptography;
using HiddenPoint.Crypto.Interop;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// A long-lived X25519 key pair used by the responder of a handshake: a relay's ntor onion key
/// (<c>KS_ntor</c>, <c>KP_ntor</c>) or a hidden point's introduction encryption key (<c>KS_hss_ntor</c>,
/// <c>KP_hss_ntor</c>). The secret scalar is kept in a pinned array (never moved by the GC) and wiped on
/// <see cref="Dispose"/>.
/// </summary>
public sealed class Curve25519KeyPair : IDisposable
{
    /// <summary>Secret key length in bytes.</summary>
    public const int SecretKeyLength = 32;

    private readonly byte[] _secretKey;
    private bool _disposed;

    private Curve25519KeyPair(ReadOnlySpan<byte> secretKey)
    {
        _secretKey = GC.AllocateArray<byte>(SecretKeyLength, pinned: true);
        secretKey.CopyTo(_secretKey);
        Span<byte> publicKey = stackalloc byte[Curve25519PublicKey.Length];
        X25519.DerivePublicKey(_secretKey, publicKey);
        PublicKey = new Curve25519PublicKey(publicKey);
    }

    /// <summary>The public half, which peers address (B).</summary>
    public Curve25519PublicKey PublicKey { get; }

    /// <summary>A new random key pair.</summary>
    public static Curve25519KeyPair Generate()
    {
        Span<byte> secretKey = stackalloc byte[SecretKeyLength];
        RandomNumberGenerator.Fill(secretKey);
        try
        {
            return new Curve25519KeyPair(secretKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secretKey);
        }
    }

    /// <summary>The key pair whose secret scalar is <paramref name="secretKey"/> (32 bytes, clamped when used).</summary>
    /// <exception cref="ArgumentException"><paramref name="secretKey"/> is not 32 bytes.</exception>
    public static Curve25519KeyPair Import(ReadOnlySpan<byte> secretKey)
    {
        if (secretKey.Length != SecretKeyLength)
        {
            throw new ArgumentException("An X25519 secret key is 32 bytes.", nameof(secretKey));
        }

        return new Curve25519KeyPair(secretKey);
    }

    /// <summary>Copies the secret key out, for storing it in the owner's key file.</summary>
    public void ExportSecretKey(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length < SecretKeyLength)
        {
            throw new ArgumentException("Destination is shorter than 32 bytes.", nameof(destination));
        }

        _secretKey.CopyTo(destination);
    }

    /// <summary>X25519(secret, <paramref name="peer"/>); false when the peer's point has small order.</summary>
    internal bool TryAgree(Curve25519PublicKey peer, Span<byte> shared)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return X25519.TryAgree(_secretKey, peer.Bytes, shared);
    }

    /// <summary>Wipes the secret key.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_secretKey);
        _disposed = true;
    }
}
