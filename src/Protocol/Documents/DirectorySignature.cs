using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>One <c>directory-signature</c> line: an authority's Ed25519 signature over a vote's or consensus's body.</summary>
public sealed class DirectorySignature
{
    // "directory-signature", two base64 values, their spaces and the LF: 151 bytes; anything longer is not one.
    private const int MaxLineLength = 160;

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

    /// <summary>
    /// Parses one <c>directory-signature</c> line on its own (LF included, nothing before or after), with the same
    /// rules as inside a document. Only the syntax is checked: <see cref="Verify"/> checks the signature.
    /// </summary>
    public static bool TryParseLine(ReadOnlySpan<byte> line, [NotNullWhen(true)] out DirectorySignature? signature)
    {
        signature = null;
        if (!DocumentReader.TryCreate(line, MaxLineLength, out var reader, out _) || !reader.TryReadLine(out var parsed, out _) ||
            !reader.AtEnd || !parsed.Keyword.SequenceEqual("directory-signature"u8) || parsed.ArgumentCount != 2)
        {
            return false;
        }

        Span<byte> key = stackalloc byte[Ed25519PublicKey.Length];
        Span<byte> value = stackalloc byte[Ed25519PublicKey.SignatureLength];
        var arguments = parsed.Cursor();
        if (!DocumentValues.TryDecodeBase64(arguments.Next(), key) || !DocumentValues.TryDecodeBase64(arguments.Next(), value))
        {
            return false;
        }

        signature = new DirectorySignature(new AuthorityId(Ed25519PublicKey.FromBytes(key)), value);
        return true;
    }

    /// <summary>
    /// What a signature over <paramref name="body"/> signs: the document kind's domain prefix, then the body. Made
    /// once per body, so that each signature received is checked with <see cref="Verify"/> without another copy.
    /// </summary>
    public static byte[] SignedMessage(NetworkStatusKind kind, ReadOnlySpan<byte> body)
    {
        var prefix = NetworkStatusParser.Prefix(kind);
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message);
        body.CopyTo(message.AsSpan(prefix.Length));
        return message;
    }

    /// <summary>Whether <see cref="Authority"/> made this signature over <paramref name="signedMessage"/> (from <see cref="SignedMessage"/>).</summary>
    public bool Verify(ReadOnlySpan<byte> signedMessage) => Authority.Key.Verify(signedMessage, _signature);
}
