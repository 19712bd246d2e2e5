using System.Security.Cryptography;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// KS_hs_blind_id (rend-spec-v3 appendix A.2): the expanded blinded secret <c>(h·a mod l) | H(label | RH)[0..32]</c>
/// for one time period. It signs plain Ed25519 signatures that verify under <see cref="PublicKey"/>. Dispose it to
/// zero the secret.
/// </summary>
public sealed class BlindedSigningKey : IDisposable
{
    /// <summary>Length of the expanded blinded secret.</summary>
    public const int ExpandedLength = Ed25519ExpandedSigning.ExpandedSecretLength;

    /// <summary>Length of a signature.</summary>
    public const int SignatureLength = Ed25519ExpandedSigning.SignatureLength;

    private readonly byte[] _expanded = GC.AllocateUninitializedArray<byte>(ExpandedLength, pinned: true);
    private bool _disposed;

    internal BlindedSigningKey(ReadOnlySpan<byte> expanded, TimePeriod period)
    {
        expanded.CopyTo(_expanded);
        Span<byte> publicKey = stackalloc byte[BlindedPublicKey.Length];
        Ed25519ExpandedSigning.DerivePublicKey(_expanded, publicKey);
        PublicKey = BlindedPublicKey.FromDerived(publicKey);
        Period = period;
    }

    /// <summary>KP_hs_blind_id, the matching public key.</summary>
    public BlindedPublicKey PublicKey { get; }

    /// <summary>The time period this key was blinded for.</summary>
    public TimePeriod Period { get; }

    /// <summary>Signs <paramref name="message"/> with Ed25519 into a 64-byte <paramref name="signature"/>.</summary>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Ed25519ExpandedSigning.Sign(_expanded, PublicKey.Bytes, message, signature);
    }

    /// <summary>Zeroes the secret.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_expanded);
        _disposed = true;
    }

    /// <summary>The expanded blinded secret, for comparison with published vectors.</summary>
    internal ReadOnlySpan<byte> ExpandedSecretForTesting
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _expanded;
        }
    }
}
