using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Relay;

/// <summary>Shared sizes and checks of the hidden-point messages (rend-spec-v3 §3).</summary>
public static class HiddenPointWire
{
    /// <summary>AUTH_KEY_TYPE for an Ed25519 introduction authentication key: the only type accepted.</summary>
    public const byte AuthKeyTypeEd25519 = 2;

    /// <summary>Length of an Ed25519 public key.</summary>
    public const int AuthKeyLength = 32;

    /// <summary>Length of an Ed25519 signature.</summary>
    public const int SignatureLength = 64;

    /// <summary>Length of a MAC (SHA3-256 based).</summary>
    public const int MacLength = 32;

    /// <summary>Length of an X25519 public key.</summary>
    public const int X25519KeyLength = 32;

    /// <summary>Length of a rendezvous cookie.</summary>
    public const int RendezvousCookieLength = 20;

    /// <summary>Length of INTRODUCE1's legacy key id, which must be all zero.</summary>
    public const int LegacyKeyIdLength = 20;

    internal static bool TryReadAuthKey(ref WireReader reader, out ReadOnlySpan<byte> key, out DecodeError error)
    {
        key = default;
        var typeAt = reader.Offset;
        if (!reader.TryReadU8(out var type))
        {
            error = reader.Truncated();
            return false;
        }

        if (type != AuthKeyTypeEd25519)
        {
            error = new DecodeError(DecodeErrorKind.BadValue, typeAt, "auth key type must be Ed25519");
            return false;
        }

        var lengthAt = reader.Offset;
        if (!reader.TryReadU16(out var length))
        {
            error = reader.Truncated();
            return false;
        }

        if (length != AuthKeyLength)
        {
            error = new DecodeError(DecodeErrorKind.BadLength, lengthAt, "auth key must be 32 bytes");
            return false;
        }

        if (!reader.TryReadBytes(AuthKeyLength, out key))
        {
            error = reader.Truncated();
            return false;
        }

        error = default;
        return true;
    }

    internal static void WriteAuthKey(ref WireWriter writer, ReadOnlySpan<byte> key)
    {
        writer.WriteU8(AuthKeyTypeEd25519);
        writer.WriteU16(AuthKeyLength);
        writer.WriteBytes(key);
    }

    internal static byte[] CopyExact(ReadOnlySpan<byte> value, int length, string parameterName)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"Expected exactly {length} bytes.", parameterName);
        }

        return value.ToArray();
    }
}

/// <summary>
/// ESTABLISH_INTRO: auth key type (1) = 2 · auth key length (2) = 32 · auth key · extensions ·
/// handshake auth (32, MAC over everything before it) · signature length (2) = 64 · signature (over everything
/// before the signature length). Verifying the MAC and signature is the caller's job; the covered lengths are
/// exposed for it.
/// </summary>
/// <remarks>
/// The covered prefixes do not depend on the MAC or signature values, so a host builds the message once with
/// zero-filled MAC and signature, encodes it, computes the MAC over the first <see cref="MacCoveredLength"/>
/// bytes, signs the first <see cref="SignatureCoveredLength"/> bytes (with the MAC in place), and builds it again.
/// </remarks>
public sealed class EstablishIntroMessage : RelayMessage
{
    private readonly byte[] _authKey;
    private readonly Extension[] _extensions;
    private readonly byte[] _handshakeAuth;
    private readonly byte[] _signature;

    /// <summary>Builds the message; wrong key, MAC or signature lengths throw.</summary>
    public EstablishIntroMessage(ReadOnlySpan<byte> authKey, IReadOnlyList<Extension>? extensions, ReadOnlySpan<byte> handshakeAuth, ReadOnlySpan<byte> signature)
    {
        _authKey = HiddenPointWire.CopyExact(authKey, HiddenPointWire.AuthKeyLength, nameof(authKey));
        _extensions = ExtensionList.Validate(extensions, nameof(extensions));
        _handshakeAuth = HiddenPointWire.CopyExact(handshakeAuth, HiddenPointWire.MacLength, nameof(handshakeAuth));
        _signature = HiddenPointWire.CopyExact(signature, HiddenPointWire.SignatureLength, nameof(signature));
        EnsureFits();
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.EstablishIntro;

    /// <summary>The introduction point authentication key (Ed25519).</summary>
    public ReadOnlySpan<byte> AuthKey => _authKey;

    /// <summary>Extensions (e.g. denial-of-service parameters), uninterpreted.</summary>
    public IReadOnlyList<Extension> Extensions => _extensions;

    /// <summary>The MAC that binds the message to the circuit handshake.</summary>
    public ReadOnlySpan<byte> HandshakeAuth => _handshakeAuth;

    /// <summary>The Ed25519 signature by <see cref="AuthKey"/>.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>Length of the encoded prefix that the MAC covers (everything before it).</summary>
    public int MacCoveredLength => 3 + HiddenPointWire.AuthKeyLength + ExtensionList.EncodedLength(_extensions); // type, length

    /// <summary>Length of the encoded prefix that the signature covers (everything before the signature length).</summary>
    public int SignatureCoveredLength => MacCoveredLength + HiddenPointWire.MacLength;

    /// <inheritdoc/>
    public override int DataLength => SignatureCoveredLength + 2 + HiddenPointWire.SignatureLength;

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out EstablishIntroMessage? message, out DecodeError error)
    {
        if (!FitsInCell(ref reader, RelayCommand.EstablishIntro, out error))
        {
            message = null;
            return false;
        }

        message = null;
        if (!HiddenPointWire.TryReadAuthKey(ref reader, out var authKey, out error)
            || !ExtensionList.TryDecode(ref reader, out var extensions, out error))
        {
            return false;
        }

        if (!reader.TryReadBytes(HiddenPointWire.MacLength, out var mac))
        {
            error = reader.Truncated();
            return false;
        }

        var lengthAt = reader.Offset;
        if (!reader.TryReadU16(out var signatureLength))
        {
            error = reader.Truncated();
            return false;
        }

        if (signatureLength != HiddenPointWire.SignatureLength)
        {
            error = new DecodeError(DecodeErrorKind.BadLength, lengthAt, "signature must be 64 bytes");
            return false;
        }

        if (!TryReadExact(ref reader, HiddenPointWire.SignatureLength, out var signature, out error))
        {
            return false;
        }

        message = new EstablishIntroMessage(authKey, extensions, mac, signature);
        return true;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
        HiddenPointWire.WriteAuthKey(ref writer, _authKey);
        ExtensionList.Encode(ref writer, _extensions);
        writer.WriteBytes(_handshakeAuth);
        writer.WriteU16(HiddenPointWire.SignatureLength);
        writer.WriteBytes(_signature);
    }
}

/// <summary>INTRO_ESTABLISHED: extensions only.</summary>
public sealed class IntroEstablishedMessage : RelayMessage
{
    private readonly Extension[] _extensions;

    /// <summary>Builds the message.</summary>
    public IntroEstablishedMessage(IReadOnlyList<Extension>? extensions = null)
    {
        _extensions = ExtensionList.Validate(extensions, nameof(extensions));
        EnsureFits();
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.IntroEstablished;

    /// <summary>Extensions, uninterpreted.</summary>
    public IReadOnlyList<Extension> Extensions => _extensions;

    /// <inheritdoc/>
    public override int DataLength => ExtensionList.EncodedLength(_extensions);

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out IntroEstablishedMessage? message, out DecodeError error)
    {
        if (!FitsInCell(ref reader, RelayCommand.IntroEstablished, out error))
        {
            message = null;
            return false;
        }

        message = null;
        if (!ExtensionList.TryDecode(ref reader, out var extensions, out error) || !reader.TryExpectEnd(out error))
        {
            return false;
        }

        message = new IntroEstablishedMessage(extensions);
        return true;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer) => ExtensionList.Encode(ref writer, _extensions);
}

/// <summary>
/// The shared layout of INTRODUCE1 and INTRODUCE2 (the introduction point relays INTRODUCE1 unchanged as
/// INTRODUCE2): legacy key id (20, zero) · auth key type (1) = 2 · auth key length (2) = 32 · auth key ·
/// extensions · client X25519 key (32) · encrypted data (at least 1) · MAC (32). The MAC covers everything
/// before it (<see cref="MacCoveredLength"/>).
/// </summary>
public abstract class IntroduceMessage : RelayMessage
{
    private readonly byte[] _authKey;
    private readonly Extension[] _extensions;
    private readonly byte[] _clientPublicKey;
    private readonly byte[] _encryptedData;
    private readonly byte[] _mac;

    private protected IntroduceMessage(ReadOnlySpan<byte> authKey, IReadOnlyList<Extension>? extensions, ReadOnlySpan<byte> clientPublicKey, ReadOnlySpan<byte> encryptedData, ReadOnlySpan<byte> mac)
    {
        _authKey = HiddenPointWire.CopyExact(authKey, HiddenPointWire.AuthKeyLength, nameof(authKey));
        _extensions = ExtensionList.Validate(extensions, nameof(extensions));
        _clientPublicKey = HiddenPointWire.CopyExact(clientPublicKey, HiddenPointWire.X25519KeyLength, nameof(clientPublicKey));
        if (encryptedData.IsEmpty)
        {
            throw new ArgumentException("The encrypted part is never empty.", nameof(encryptedData));
        }

        _encryptedData = encryptedData.ToArray();
        _mac = HiddenPointWire.CopyExact(mac, HiddenPointWire.MacLength, nameof(mac));
    }

    /// <summary>The introduction point's authentication key, naming the hidden point's intro circuit.</summary>
    public ReadOnlySpan<byte> AuthKey => _authKey;

    /// <summary>Extensions, uninterpreted.</summary>
    public IReadOnlyList<Extension> Extensions => _extensions;

    /// <summary>The client's ephemeral X25519 key for hs_ntor.</summary>
    public ReadOnlySpan<byte> ClientPublicKey => _clientPublicKey;

    /// <summary>The encrypted <see cref="IntroducePlaintext"/>.</summary>
    public ReadOnlySpan<byte> EncryptedData => _encryptedData;

    /// <summary>The MAC over everything before it.</summary>
    public ReadOnlySpan<byte> Mac => _mac;

    /// <summary>Length of the encoded prefix that the MAC covers.</summary>
    public int MacCoveredLength => DataLength - HiddenPointWire.MacLength;

    /// <inheritdoc/>
    public sealed override int DataLength =>
        HiddenPointWire.LegacyKeyIdLength + 3 + HiddenPointWire.AuthKeyLength + ExtensionList.EncodedLength(_extensions)
        + HiddenPointWire.X25519KeyLength + _encryptedData.Length + HiddenPointWire.MacLength;

    /// <inheritdoc/>
    public sealed override void EncodeData(ref WireWriter writer)
    {
        writer.WriteZeros(HiddenPointWire.LegacyKeyIdLength);
        HiddenPointWire.WriteAuthKey(ref writer, _authKey);
        ExtensionList.Encode(ref writer, _extensions);
        writer.WriteBytes(_clientPublicKey);
        writer.WriteBytes(_encryptedData);
        writer.WriteBytes(_mac);
    }

    private protected static bool TryDecodeParts(
        ref WireReader reader,
        out ReadOnlySpan<byte> authKey,
        out Extension[] extensions,
        out ReadOnlySpan<byte> clientPublicKey,
        out ReadOnlySpan<byte> encryptedData,
        out ReadOnlySpan<byte> mac,
        out DecodeError error)
    {
        authKey = clientPublicKey = encryptedData = mac = default;
        extensions = [];
        var legacyAt = reader.Offset;
        if (!reader.TryReadBytes(HiddenPointWire.LegacyKeyIdLength, out var legacy))
        {
            error = reader.Truncated();
            return false;
        }

        var nonZero = legacy.IndexOfAnyExcept((byte)0);
        if (nonZero >= 0)
        {
            error = new DecodeError(DecodeErrorKind.BadValue, legacyAt + nonZero, "legacy key id must be zero");
            return false;
        }

        if (!HiddenPointWire.TryReadAuthKey(ref reader, out authKey, out error)
            || !ExtensionList.TryDecode(ref reader, out extensions, out error))
        {
            return false;
        }

        var encryptedAt = reader.Offset;
        var encrypted = reader.ReadRest();
        if (encrypted.Length < HiddenPointWire.X25519KeyLength + 1 + HiddenPointWire.MacLength)
        {
            error = new DecodeError(DecodeErrorKind.Truncated, encryptedAt + encrypted.Length, "encrypted part too short");
            return false;
        }

        clientPublicKey = encrypted[..HiddenPointWire.X25519KeyLength];
        encryptedData = encrypted[HiddenPointWire.X25519KeyLength..^HiddenPointWire.MacLength];
        mac = encrypted[^HiddenPointWire.MacLength..];
        error = default;
        return true;
    }
}

/// <summary>INTRODUCE1: a client's introduction to the introduction point (layout on <see cref="IntroduceMessage"/>).</summary>
public sealed class Introduce1Message : IntroduceMessage
{
    /// <summary>Builds the message; wrong field lengths or too much data throw.</summary>
    public Introduce1Message(ReadOnlySpan<byte> authKey, IReadOnlyList<Extension>? extensions, ReadOnlySpan<byte> clientPublicKey, ReadOnlySpan<byte> encryptedData, ReadOnlySpan<byte> mac)
        : base(authKey, extensions, clientPublicKey, encryptedData, mac)
    {
        EnsureFits();
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.Introduce1;

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out Introduce1Message? message, out DecodeError error)
    {
        if (!FitsInCell(ref reader, RelayCommand.Introduce1, out error))
        {
            message = null;
            return false;
        }

        message = TryDecodeParts(ref reader, out var authKey, out var extensions, out var clientKey, out var encrypted, out var mac, out error)
            ? new Introduce1Message(authKey, extensions, clientKey, encrypted, mac)
            : null;
        return message is not null;
    }

    /// <summary>The same bytes as INTRODUCE2, as the introduction point relays them.</summary>
    public Introduce2Message ToIntroduce2() => new(AuthKey, Extensions, ClientPublicKey, EncryptedData, Mac);
}

/// <summary>INTRODUCE2: the introduction as relayed to the host (layout on <see cref="IntroduceMessage"/>).</summary>
public sealed class Introduce2Message : IntroduceMessage
{
    /// <summary>Builds the message; wrong field lengths or too much data throw.</summary>
    public Introduce2Message(ReadOnlySpan<byte> authKey, IReadOnlyList<Extension>? extensions, ReadOnlySpan<byte> clientPublicKey, ReadOnlySpan<byte> encryptedData, ReadOnlySpan<byte> mac)
        : base(authKey, extensions, clientPublicKey, encryptedData, mac)
    {
        EnsureFits();
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.Introduce2;

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out Introduce2Message? message, out DecodeError error)
    {
        if (!FitsInCell(ref reader, RelayCommand.Introduce2, out error))
        {
            message = null;
            return false;
        }

        message = TryDecodeParts(ref reader, out var authKey, out var extensions, out var clientKey, out var encrypted, out var mac, out error)
            ? new Introduce2Message(authKey, extensions, clientKey, encrypted, mac)
            : null;
        return message is not null;
    }
}

/// <summary>INTRODUCE_ACK status values (rend-spec-v3). Open: other values decode as themselves.</summary>
public enum IntroduceAckStatus : ushort
{
    /// <summary>The introduction was relayed to the host.</summary>
    Success = 0,

    /// <summary>No intro circuit for that authentication key.</summary>
    ServiceNotRecognized = 1,

    /// <summary>INTRODUCE1 was malformed.</summary>
    BadMessageFormat = 2,

    /// <summary>The introduction point could not relay the message.</summary>
    RelayFailed = 3,
}

/// <summary>INTRODUCE_ACK: status (2) · extensions.</summary>
public sealed class IntroduceAckMessage : RelayMessage
{
    private readonly IntroduceAckStatus _status;
    private readonly Extension[] _extensions;

    /// <summary>Builds the message.</summary>
    public IntroduceAckMessage(IntroduceAckStatus status, IReadOnlyList<Extension>? extensions = null)
    {
        _status = status;
        _extensions = ExtensionList.Validate(extensions, nameof(extensions));
        EnsureFits();
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.IntroduceAck;

    /// <summary>The outcome.</summary>
    public IntroduceAckStatus Status => _status;

    /// <summary>Extensions, uninterpreted.</summary>
    public IReadOnlyList<Extension> Extensions => _extensions;

    /// <inheritdoc/>
    public override int DataLength => 2 + ExtensionList.EncodedLength(_extensions);

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out IntroduceAckMessage? message, out DecodeError error)
    {
        if (!FitsInCell(ref reader, RelayCommand.IntroduceAck, out error))
        {
            message = null;
            return false;
        }

        message = null;
        if (!reader.TryReadU16(out var status))
        {
            error = reader.Truncated();
            return false;
        }

        if (!ExtensionList.TryDecode(ref reader, out var extensions, out error) || !reader.TryExpectEnd(out error))
        {
            return false;
        }

        message = new IntroduceAckMessage((IntroduceAckStatus)status, extensions);
        return true;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
        writer.WriteU16((ushort)_status);
        ExtensionList.Encode(ref writer, _extensions);
    }
}
