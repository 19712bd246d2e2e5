using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.HiddenPoints;

/// <summary>What a certificate vouches for (cert-spec §A.1 numbers).</summary>
public enum Ed25519CertificateType : byte
{
    /// <summary>The blinded key certifies the descriptor-signing key (<c>descriptor-signing-key-cert</c>).</summary>
    DescriptorSigning = 0x08,

    /// <summary>The descriptor-signing key certifies an introduction point's authentication key (<c>auth-key</c>).</summary>
    IntroPointAuth = 0x09,

    /// <summary>The descriptor-signing key certifies an introduction point's encryption key (<c>enc-key-cert</c>).</summary>
    IntroPointEncryption = 0x0B,
}

/// <summary>The kind of key a certificate certifies.</summary>
public enum Ed25519CertifiedKeyType : byte
{
    /// <summary>An Ed25519 public key (cert-spec's type 1).</summary>
    Ed25519 = 0x01,

    /// <summary>
    /// An X25519 public key, certified as it is. HiddenPoint's own type: Tor certifies the Ed25519 form of an X25519
    /// key instead, which needs a sign bit and a birational map for no gain here.
    /// </summary>
    X25519 = 0x04,
}

/// <summary>Why certificate bytes were refused.</summary>
public enum Ed25519CertificateError
{
    /// <summary>Accepted.</summary>
    None = 0,

    /// <summary>Fewer bytes than the fields announce.</summary>
    Truncated,

    /// <summary>Bytes after the signature.</summary>
    TrailingBytes,

    /// <summary>The version byte is not 1.</summary>
    UnsupportedVersion,

    /// <summary>The certified-key type is not one this format defines.</summary>
    UnknownKeyType,

    /// <summary>A known extension has the wrong length, or a bad key.</summary>
    BadExtension,

    /// <summary>The same extension type appears twice.</summary>
    DuplicateExtension,

    /// <summary>An extension this code does not know is flagged as affecting validation: the certificate must be refused.</summary>
    UnknownCriticalExtension,
}

/// <summary>
/// A compact binary Ed25519 certificate (cert-spec §2.1), as HiddenPoint's hidden-point descriptors carry them:
/// <code>
/// version (1) = 1 · type (1) · expiry (4, hours since the epoch, big-endian) · certified-key type (1) ·
/// certified key (32) · n-extensions (1) · n × [length (2) · ext-type (1) · flags (1) · data (length)] · signature (64)
/// </code>
/// The signature is the signer's Ed25519 signature over <c>"hpc-ed25519-certificate\0"</c> followed by every byte
/// before it. Extension type 4 (signed-with-ed25519-key, 32 bytes) names the signer. An unknown extension whose flags
/// have bit 0 (affects validation) set makes the whole certificate invalid; other unknown extensions are ignored.
/// </summary>
public sealed class Ed25519Certificate
{
    /// <summary>The only version.</summary>
    public const byte Version = 1;

    /// <summary>Extension type of signed-with-ed25519-key.</summary>
    public const byte SignedWithKeyExtension = 0x04;

    /// <summary>Extension flag: a reader that does not know the extension must refuse the certificate.</summary>
    public const byte AffectsValidationFlag = 0x01;

    /// <summary>Length of the fixed fields before the extensions.</summary>
    public const int HeaderLength = 1 + 1 + 4 + 1 + 32 + 1; // version, type, expiry, key type, key, n-extensions

    /// <summary>Length of a certificate with only the signed-with-key extension, as HiddenPoint writes them.</summary>
    public const int StandardLength = HeaderLength + 4 + Ed25519PublicKey.Length + SignatureLength;

    /// <summary>Length of the signature.</summary>
    public const int SignatureLength = Ed25519PublicKey.SignatureLength;

    private const int ExtensionHeaderLength = 4; // length, type, flags

    private static readonly long s_maxExpiryHours = (long)(DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).TotalHours;

    private static ReadOnlySpan<byte> SignaturePrefix => "hpc-ed25519-certificate\0"u8;

    private readonly byte[] _encoded;
    private readonly byte[] _certifiedKey;

    private Ed25519Certificate(byte[] encoded, Ed25519CertificateType type, uint expiryHours, Ed25519CertifiedKeyType keyType, Ed25519PublicKey? signingKey)
    {
        _encoded = encoded;
        Type = type;
        ExpiryHours = expiryHours;
        CertifiedKeyType = keyType;
        _certifiedKey = encoded.AsSpan(7, 32).ToArray();
        SigningKey = signingKey;
    }

    /// <summary>The certificate type (not checked against the enum: callers compare with what they expect).</summary>
    public Ed25519CertificateType Type { get; }

    /// <summary>Expiry in hours since the Unix epoch, as encoded.</summary>
    public uint ExpiryHours { get; }

    /// <summary>The first instant at which the certificate is no longer valid.</summary>
    /// <remarks>
    /// The field reaches past year 9999, which <see cref="DateTimeOffset"/> cannot hold: such a certificate is taken
    /// to expire at <see cref="DateTimeOffset.MaxValue"/>.
    /// </remarks>
    public DateTimeOffset Expires =>
        ExpiryHours > s_maxExpiryHours ? DateTimeOffset.MaxValue : DateTimeOffset.UnixEpoch.AddHours(ExpiryHours);

    /// <summary>The kind of key certified.</summary>
    public Ed25519CertifiedKeyType CertifiedKeyType { get; }

    /// <summary>The certified key's 32 bytes.</summary>
    public ReadOnlySpan<byte> CertifiedKey => _certifiedKey;

    /// <summary>The signer named by the signed-with-ed25519-key extension, if present (not yet proven).</summary>
    public Ed25519PublicKey? SigningKey { get; }

    /// <summary>The encoded certificate.</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    /// <summary>Whether the certificate has expired at <paramref name="now"/> (valid strictly before <see cref="Expires"/>).</summary>
    public bool IsExpiredAt(DateTimeOffset now) => now >= Expires;

    /// <summary>Parses certificate bytes. Never throws on hostile input.</summary>
    public static bool TryParse(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out Ed25519Certificate? certificate, out Ed25519CertificateError error)
    {
        certificate = null;
        if (encoded.Length < HeaderLength + SignatureLength)
        {
            error = Ed25519CertificateError.Truncated;
            return false;
        }

        if (encoded[0] != Version)
        {
            error = Ed25519CertificateError.UnsupportedVersion;
            return false;
        }

        var type = (Ed25519CertificateType)encoded[1];
        var expiry = BinaryPrimitives.ReadUInt32BigEndian(encoded[2..]);
        var keyType = (Ed25519CertifiedKeyType)encoded[6];
        if (keyType is not (Ed25519CertifiedKeyType.Ed25519 or Ed25519CertifiedKeyType.X25519))
        {
            error = Ed25519CertificateError.UnknownKeyType;
            return false;
        }

        int count = encoded[HeaderLength - 1];
        var position = HeaderLength;
        Ed25519PublicKey? signingKey = null;
        Span<bool> seenTypes = stackalloc bool[256];
        for (var i = 0; i < count; i++)
        {
            if (encoded.Length - position < ExtensionHeaderLength)
            {
                error = Ed25519CertificateError.Truncated;
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(encoded[position..]);
            var extType = encoded[position + 2];
            var flags = encoded[position + 3];
            position += ExtensionHeaderLength;
            if (encoded.Length - position < length)
            {
                error = Ed25519CertificateError.Truncated;
                return false;
            }

            if (seenTypes[extType])
            {
                error = Ed25519CertificateError.DuplicateExtension;
                return false;
            }

            seenTypes[extType] = true;
            var data = encoded.Slice(position, length);
            position += length;
            if (extType == SignedWithKeyExtension)
            {
                if (data.Length != Ed25519PublicKey.Length)
                {
                    error = Ed25519CertificateError.BadExtension;
                    return false;
                }

                signingKey = Ed25519PublicKey.FromBytes(data);
            }
            else if ((flags & AffectsValidationFlag) != 0)
            {
                error = Ed25519CertificateError.UnknownCriticalExtension;
                return false;
            }
        }

        var remaining = encoded.Length - position;
        if (remaining != SignatureLength)
        {
            error = remaining < SignatureLength ? Ed25519CertificateError.Truncated : Ed25519CertificateError.TrailingBytes;
            return false;
        }

        certificate = new Ed25519Certificate(encoded.ToArray(), type, expiry, keyType, signingKey);
        error = Ed25519CertificateError.None;
        return true;
    }

    /// <summary>
    /// Whether the signature verifies under <paramref name="signer"/>; when the certificate names its signer, that
    /// name must be <paramref name="signer"/> too.
    /// </summary>
    public bool VerifySignature(Ed25519PublicKey signer)
    {
        if (SigningKey is { } named && named != signer)
        {
            return false;
        }

        var bodyLength = _encoded.Length - SignatureLength;
        var message = new byte[SignaturePrefix.Length + bodyLength];
        SignaturePrefix.CopyTo(message);
        _encoded.AsSpan(0, bodyLength).CopyTo(message.AsSpan(SignaturePrefix.Length));
        return signer.Verify(message, _encoded.AsSpan(bodyLength));
    }

    /// <summary>A certificate signed by a period's blinded key (which it names in signed-with-ed25519-key).</summary>
    /// <param name="type">The certificate type.</param>
    /// <param name="expires">Expiry; rounded up to a whole hour, so a certificate never ends earlier than asked.</param>
    /// <param name="keyType">The kind of key certified.</param>
    /// <param name="certifiedKey">The 32-byte key.</param>
    /// <param name="signer">The blinded signing key.</param>
    public static Ed25519Certificate Create(
        Ed25519CertificateType type, DateTimeOffset expires, Ed25519CertifiedKeyType keyType, ReadOnlySpan<byte> certifiedKey, BlindedSigningKey signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var encoded = WriteBody(type, expires, keyType, certifiedKey, signer.PublicKey.Bytes, out var bodyLength);
        signer.Sign(Message(encoded, bodyLength), encoded.AsSpan(bodyLength));
        return Reparse(encoded);
    }

    /// <summary>A certificate signed by a descriptor-signing key (which it names in signed-with-ed25519-key).</summary>
    /// <param name="type">The certificate type.</param>
    /// <param name="expires">Expiry; rounded up to a whole hour.</param>
    /// <param name="keyType">The kind of key certified.</param>
    /// <param name="certifiedKey">The 32-byte key.</param>
    /// <param name="signer">The descriptor-signing key.</param>
    public static Ed25519Certificate Create(
        Ed25519CertificateType type, DateTimeOffset expires, Ed25519CertifiedKeyType keyType, ReadOnlySpan<byte> certifiedKey, HsDescriptorSigningKey signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var encoded = WriteBody(type, expires, keyType, certifiedKey, signer.PublicKey.Bytes, out var bodyLength);
        signer.Sign(Message(encoded, bodyLength), encoded.AsSpan(bodyLength));
        return Reparse(encoded);
    }

    /// <summary>The hour count for <paramref name="expires"/>, rounded up.</summary>
    internal static uint ExpiryHoursFor(DateTimeOffset expires)
    {
        var seconds = expires.ToUnixTimeSeconds();
        if (expires.UtcTicks % TimeSpan.TicksPerSecond != 0)
        {
            seconds++;
        }

        var hours = (seconds + 3599) / 3600;
        if (hours is <= 0 or > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(expires), expires, "A certificate expires after the epoch and within 2^32 hours of it.");
        }

        return (uint)hours;
    }

    private static byte[] WriteBody(
        Ed25519CertificateType type, DateTimeOffset expires, Ed25519CertifiedKeyType keyType, ReadOnlySpan<byte> certifiedKey,
        ReadOnlySpan<byte> signer, out int bodyLength)
    {
        if (certifiedKey.Length != 32)
        {
            throw new ArgumentException("A certified key is 32 bytes.", nameof(certifiedKey));
        }

        if (keyType is not (Ed25519CertifiedKeyType.Ed25519 or Ed25519CertifiedKeyType.X25519))
        {
            throw new ArgumentOutOfRangeException(nameof(keyType), keyType, "Unknown certified-key type.");
        }

        var encoded = new byte[StandardLength];
        encoded[0] = Version;
        encoded[1] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(encoded.AsSpan(2), ExpiryHoursFor(expires));
        encoded[6] = (byte)keyType;
        certifiedKey.CopyTo(encoded.AsSpan(7));
        encoded[HeaderLength - 1] = 1;
        var position = HeaderLength;
        BinaryPrimitives.WriteUInt16BigEndian(encoded.AsSpan(position), Ed25519PublicKey.Length);
        encoded[position + 2] = SignedWithKeyExtension;
        encoded[position + 3] = 0;
        signer.CopyTo(encoded.AsSpan(position + ExtensionHeaderLength));
        bodyLength = StandardLength - SignatureLength;
        return encoded;
    }

    private static byte[] Message(byte[] encoded, int bodyLength)
    {
        var message = new byte[SignaturePrefix.Length + bodyLength];
        SignaturePrefix.CopyTo(message);
        encoded.AsSpan(0, bodyLength).CopyTo(message.AsSpan(SignaturePrefix.Length));
        return message;
    }

    private static Ed25519Certificate Reparse(byte[] encoded) =>
        TryParse(encoded, out var certificate, out var error)
            ? certificate
            : throw new InvalidOperationException($"A certificate this code wrote does not parse: {error}.");
}
