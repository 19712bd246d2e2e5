using System.Security.Cryptography;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// Names one relay descriptor: SHA3-256 over the descriptor's exact bytes, signature included. A vote's relay entry
/// carries the digest of the descriptor it was copied from, so that authorities agree on an entry only when they
/// copied it from the same document the relay signed (docs/directory-authority.md, "Consensus computation").
/// </summary>
public readonly struct DescriptorDigest : IEquatable<DescriptorDigest>
{
    /// <summary>Length of a digest.</summary>
    public const int Length = 32;

    private readonly byte[]? _bytes;

    private DescriptorDigest(byte[] bytes) => _bytes = bytes;

    /// <summary>The 32 digest bytes (empty for the default value, which names no descriptor).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The digest of a descriptor document.</summary>
    public static DescriptorDigest Of(ReadOnlySpan<byte> document) => new(SHA3_256.HashData(document));

    /// <summary>Takes 32 bytes as a digest.</summary>
    /// <exception cref="ArgumentException">The span is not 32 bytes long.</exception>
    public static DescriptorDigest FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length == Length
        ? new(bytes.ToArray())
        : throw new ArgumentException($"A descriptor digest is {Length} bytes, not {bytes.Length}.", nameof(bytes));

    /// <inheritdoc/>
    public bool Equals(DescriptorDigest other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DescriptorDigest other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>Base64 without padding, as documents print it.</summary>
    public override string ToString() => DocumentValues.FormatBase64(Bytes);

#pragma warning disable CS1591 // Operators of an equatable value.
    public static bool operator ==(DescriptorDigest left, DescriptorDigest right) => left.Equals(right);

    public static bool operator !=(DescriptorDigest left, DescriptorDigest right) => !left.Equals(right);
#pragma warning restore CS1591
}
