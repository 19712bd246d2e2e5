using System.Security.Cryptography;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// A hidden-id, the address of a hidden point (rend-spec-v3 §6 [ONIONADDRESS] with the network's labels):
/// <c>base32(KP_hs_id (32) | CHECKSUM (2) | VERSION (1))</c>, 56 lower-case characters, where
/// <c>CHECKSUM = SHA3-256(label | KP_hs_id | VERSION)[0..2]</c>. It holds only the identity key: the checksum and
/// version are recomputed for whichever network's <see cref="HiddenIdLabels"/> formats it.
/// </summary>
public sealed class HiddenId : IEquatable<HiddenId>
{
    /// <summary>Characters in an id without its suffix.</summary>
    public const int EncodedLength = 56;

    private const int ChecksumLength = 2;
    private const int DecodedLength = HiddenPointIdentityPublicKey.Length + ChecksumLength + 1; // key, checksum, version

    internal HiddenId(HiddenPointIdentityPublicKey identityKey) => IdentityKey = identityKey;

    /// <summary>KP_hs_id, the identity key this id names.</summary>
    public HiddenPointIdentityPublicKey IdentityKey { get; }

    /// <summary>
    /// Parses a hidden-id, with or without the network's suffix. Never throws on bad input: returns
    /// <see langword="false"/> and the first <see cref="HiddenIdError"/> found.
    /// </summary>
    public static bool TryParse(
        ReadOnlySpan<char> text, HiddenIdLabels labels, out HiddenId? hiddenId, out HiddenIdError error)
    {
        ArgumentNullException.ThrowIfNull(labels);
        hiddenId = null;
        error = Parse(text, labels, out var identityKey);
        if (error != HiddenIdError.None)
        {
            return false;
        }

        hiddenId = new HiddenId(identityKey!);
        return true;
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{char}, HiddenIdLabels, out HiddenId?, out HiddenIdError)"/>
    public static bool TryParse(string? text, HiddenIdLabels labels, out HiddenId? hiddenId, out HiddenIdError error) =>
        TryParse(text.AsSpan(), labels, out hiddenId, out error);

    /// <summary>Writes the 56-character id followed by the suffix of <paramref name="labels"/>.</summary>
    public bool TryFormat(Span<char> destination, HiddenIdLabels labels, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(labels);
        charsWritten = 0;
        var length = EncodedLength + labels.Suffix.Length;
        if (destination.Length < length)
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[DecodedLength];
        IdentityKey.Bytes.CopyTo(decoded);
        ComputeChecksum(IdentityKey.Bytes, labels, decoded.Slice(HiddenPointIdentityPublicKey.Length, ChecksumLength));
        decoded[^1] = labels.Version;
        Base32.Encode(decoded, destination[..EncodedLength]);
        labels.Suffix.AsSpan().CopyTo(destination[EncodedLength..]);
        charsWritten = length;
        return true;
    }

    /// <summary>The id with the suffix of <paramref name="labels"/>, e.g. <c>&lt;56 characters&gt;.onion</c>.</summary>
    public string ToString(HiddenIdLabels labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        Span<char> text = stackalloc char[EncodedLength + labels.Suffix.Length];
        TryFormat(text, labels, out _);
        return new string(text);
    }

    /// <summary>The HiddenPoint form, <c>&lt;56 characters&gt;.hpc</c>.</summary>
    public override string ToString() => ToString(HiddenIdLabels.Hpc);

    /// <inheritdoc/>
    public bool Equals(HiddenId? other) => other is not null && IdentityKey.Equals(other.IdentityKey);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as HiddenId);

    /// <inheritdoc/>
    public override int GetHashCode() => IdentityKey.GetHashCode();

    /// <summary>Two hidden-ids are equal when they name the same identity key (not when they are the same object).</summary>
    public static bool operator ==(HiddenId? left, HiddenId? right) => left is null ? right is null : left.Equals(right);

    /// <summary>The negation of <see cref="op_Equality"/>.</summary>
    public static bool operator !=(HiddenId? left, HiddenId? right) => !(left == right);

    private static HiddenIdError Parse(
        ReadOnlySpan<char> text, HiddenIdLabels labels, out HiddenPointIdentityPublicKey? identityKey)
    {
        identityKey = null;
        var suffix = labels.Suffix.AsSpan();
        if (text.Length == EncodedLength + suffix.Length)
        {
            var tail = text[EncodedLength..];
            if (!tail.SequenceEqual(suffix))
            {
                return tail.Equals(suffix, StringComparison.OrdinalIgnoreCase)
                    ? HiddenIdError.UpperCase
                    : HiddenIdError.WrongSuffix;
            }

            text = text[..EncodedLength];
        }
        else if (text.Length != EncodedLength)
        {
            return HiddenIdError.BadLength;
        }

        Span<byte> decoded = stackalloc byte[DecodedLength];
        switch (Base32.TryDecode(text, decoded))
        {
            case Base32.CharacterKind.UpperCase:
                return HiddenIdError.UpperCase;
            case Base32.CharacterKind.Invalid:
                return HiddenIdError.InvalidCharacter;
        }

        if (decoded[^1] != labels.Version)
        {
            return HiddenIdError.WrongVersion;
        }

        var key = decoded[..HiddenPointIdentityPublicKey.Length];
        Span<byte> expected = stackalloc byte[ChecksumLength];
        ComputeChecksum(key, labels, expected);
        if (!expected.SequenceEqual(decoded.Slice(HiddenPointIdentityPublicKey.Length, ChecksumLength)))
        {
            return HiddenIdError.BadChecksum;
        }

        return HiddenPointIdentityPublicKey.TryCreate(key, out identityKey);
    }

    /// <summary>CHECKSUM = SHA3-256(label | key | version)[0..2].</summary>
    internal static void ComputeChecksum(ReadOnlySpan<byte> key, HiddenIdLabels labels, Span<byte> checksum)
    {
        var label = labels.ChecksumLabel;
        Span<byte> input = stackalloc byte[HiddenIdLabels.MaxLabelLength + HiddenPointIdentityPublicKey.Length + 1];
        label.CopyTo(input);
        key.CopyTo(input[label.Length..]);
        input[label.Length + key.Length] = labels.Version;
        Span<byte> digest = stackalloc byte[SHA3_256.HashSizeInBytes];
        SHA3_256.HashData(input[..(label.Length + key.Length + 1)], digest);
        digest[..ChecksumLength].CopyTo(checksum);
    }
}
