using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Protocol.HiddenPoints;

/// <summary>
/// Writes and signs the outer layer of a hidden-point descriptor. Separate from the parser, so that what a host
/// publishes and what a reader accepts are checked against each other by the tests. Invalid fields are the caller's
/// bug and throw <see cref="ArgumentException"/>. Most hosts call <see cref="HiddenPointDescriptor.Build"/>, which
/// makes the certificate and the encrypted layers too.
/// </summary>
public sealed class HsDescriptorBuilder
{
    /// <summary><c>descriptor-lifetime</c>, minutes, 30–720.</summary>
    public required int LifetimeMinutes { get; init; }

    /// <summary>The descriptor-signing-key certificate (type 8, by the blinded key, naming it).</summary>
    public required Ed25519Certificate SigningKeyCertificate { get; init; }

    /// <summary><c>revision-counter</c>.</summary>
    public required ulong RevisionCounter { get; init; }

    /// <summary>The first encrypted layer's blob.</summary>
    public required ReadOnlyMemory<byte> Superencrypted { get; init; }

    /// <summary>Writes the document and signs it with <paramref name="signingKey"/>, the key the certificate certifies.</summary>
    /// <returns>The document bytes.</returns>
    public byte[] Sign(HsDescriptorSigningKey signingKey)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        ArgumentNullException.ThrowIfNull(SigningKeyCertificate);
        if (LifetimeMinutes is < HsDescriptorFormat.MinLifetimeMinutes or > HsDescriptorFormat.MaxLifetimeMinutes)
        {
            throw new ArgumentException(
                $"LifetimeMinutes: a descriptor lives {HsDescriptorFormat.MinLifetimeMinutes} to {HsDescriptorFormat.MaxLifetimeMinutes} minutes.");
        }

        if (SigningKeyCertificate.Type != Ed25519CertificateType.DescriptorSigning ||
            SigningKeyCertificate.CertifiedKeyType != Ed25519CertifiedKeyType.Ed25519 ||
            !SigningKeyCertificate.CertifiedKey.SequenceEqual(signingKey.PublicKey.Bytes) || SigningKeyCertificate.SigningKey is null)
        {
            throw new ArgumentException("SigningKeyCertificate: a descriptor-signing certificate for this signing key, naming its blinded key.");
        }

        var writer = new DocumentWriter(1024 + (Superencrypted.Length * 4 / 3));
        writer.Keyword(HsDescriptorFormat.DocumentKeyword).Argument((ulong)HsDescriptorFormat.Version).EndLine();
        writer.Keyword("descriptor-lifetime").Argument((ulong)LifetimeMinutes).EndLine();
        writer.Keyword("descriptor-signing-key-cert").Base64(SigningKeyCertificate.Encoded).EndLine();
        writer.Keyword("revision-counter").Argument(RevisionCounter).EndLine();
        HsDescriptorFormat.WriteBlob(writer, "superencrypted", Superencrypted.Span);

        // The signature covers the prefix and every byte before its own value, "signature " included.
        writer.Keyword("signature").Argument(ReadOnlySpan<byte>.Empty);
        var prefix = HsDescriptorFormat.SignaturePrefix;
        var message = new byte[prefix.Length + writer.Length];
        prefix.CopyTo(message);
        writer.Written.CopyTo(message.AsSpan(prefix.Length));
        Span<byte> signature = stackalloc byte[Ed25519PublicKey.SignatureLength];
        signingKey.Sign(message, signature);
        writer.Base64(signature, leadingSpace: false).EndLine();
        var output = writer.ToArray();
        if (output.Length > HsDescriptorFormat.MaxSize)
        {
            throw new ArgumentException($"The descriptor would be {output.Length} bytes, over the {HsDescriptorFormat.MaxSize}-byte limit.");
        }

        return output;
    }
}
