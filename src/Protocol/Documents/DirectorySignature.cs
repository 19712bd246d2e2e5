using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>One <c>directory-signature</c> line: an authority's Ed25519 signature over a vote's or consensus's body.</summary>
public sealed class DirectorySignature
{
    private readonly byte[] _signature;

    /// <summary>Creates a signature line's value.</summary>
    /// <exception cref="ArgumentException">A default id or a signature that is not 64 bytes.</exception>
    public DirectorySignature(AuthorityId authority, ReadOnlySpan<byte> signature)
    {
        if (authority.Key.Bytes.Length == 0)
        {
            throw new ArgumentException("A signature names its authority.", nameof(authority));
        }

        if (signature.Length != Ed25519PublicKey.SignatureLength)
        {
            throw new ArgumentException($"An Ed25519 signature is {Ed25519PublicKey.SignatureLength} bytes.", nameof(signature));
        }

        Authority = authority;
        _signature = signature.ToArray();
    }

    /// <summary>The authority that claims to have signed.</summary>
    public AuthorityId Authority { get; }

    /// <summary>The 64-byte signature.</summary>
    public ReadOnlySpan<byte> Signature => _signature;
}
