using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Relay;

/// <summary>ESTABLISH_RENDEZVOUS: rendezvous cookie (20).</summary>
public sealed class EstablishRendezvousMessage : RelayMessage
{
    private readonly byte[] _cookie;

    /// <summary>Builds the message; a cookie of another length throws.</summary>
    public EstablishRendezvousMessage(ReadOnlySpan<byte> cookie)
    {
        _cookie = HiddenPointWire.CopyExact(cookie, HiddenPointWire.RendezvousCookieLength, nameof(cookie));
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.EstablishRendezvous;

    /// <summary>The cookie that RENDEZVOUS1 will quote.</summary>
    public ReadOnlySpan<byte> Cookie => _cookie;

    /// <inheritdoc/>
    public override int DataLength => HiddenPointWire.RendezvousCookieLength;

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out EstablishRendezvousMessage? message, out DecodeError error)
    {
        message = TryReadExact(ref reader, HiddenPointWire.RendezvousCookieLength, out var cookie, out error)
            ? new EstablishRendezvousMessage(cookie)
            : null;
        return message is not null;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer) => writer.WriteBytes(_cookie);
}

/// <summary>RENDEZVOUS_ESTABLISHED: empty.</summary>
public sealed class RendezvousEstablishedMessage : RelayMessage
{
    /// <summary>Builds the message.</summary>
    public RendezvousEstablishedMessage()
    {
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.RendezvousEstablished;

    /// <inheritdoc/>
    public override int DataLength => 0;

    /// <summary>Decodes the whole message data (must be empty).</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out RendezvousEstablishedMessage? message, out DecodeError error)
    {
        message = reader.TryExpectEnd(out error) ? new RendezvousEstablishedMessage() : null;
        return message is not null;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
    }
}

/// <summary>
/// RENDEZVOUS1: rendezvous cookie (20) · handshake info = host's X25519 key (32) · hs_ntor AUTH (32).
/// </summary>
public sealed class Rendezvous1Message : RelayMessage
{
    private readonly byte[] _cookie;
    private readonly byte[] _serverPublicKey;
    private readonly byte[] _auth;

    /// <summary>Builds the message; wrong field lengths throw.</summary>
    public Rendezvous1Message(ReadOnlySpan<byte> cookie, ReadOnlySpan<byte> serverPublicKey, ReadOnlySpan<byte> auth)
    {
        _cookie = HiddenPointWire.CopyExact(cookie, HiddenPointWire.RendezvousCookieLength, nameof(cookie));
        _serverPublicKey = HiddenPointWire.CopyExact(serverPublicKey, HiddenPointWire.X25519KeyLength, nameof(serverPublicKey));
        _auth = HiddenPointWire.CopyExact(auth, HiddenPointWire.MacLength, nameof(auth));
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.Rendezvous1;

    /// <summary>The cookie from ESTABLISH_RENDEZVOUS.</summary>
    public ReadOnlySpan<byte> Cookie => _cookie;

    /// <summary>The host's ephemeral X25519 key.</summary>
    public ReadOnlySpan<byte> ServerPublicKey => _serverPublicKey;

    /// <summary>The hs_ntor authenticator.</summary>
    public ReadOnlySpan<byte> Auth => _auth;

    /// <inheritdoc/>
    public override int DataLength => HiddenPointWire.RendezvousCookieLength + HiddenPointWire.X25519KeyLength + HiddenPointWire.MacLength;

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out Rendezvous1Message? message, out DecodeError error)
    {
        message = null;
        if (!reader.TryReadBytes(HiddenPointWire.RendezvousCookieLength, out var cookie)
            || !reader.TryReadBytes(HiddenPointWire.X25519KeyLength, out var key))
        {
            error = reader.Truncated();
            return false;
        }

        if (!TryReadExact(ref reader, HiddenPointWire.MacLength, out var auth, out error))
        {
            return false;
        }

        message = new Rendezvous1Message(cookie, key, auth);
        return true;
    }

    /// <summary>The RENDEZVOUS2 that the rendezvous point sends on (the handshake info, unchanged).</summary>
    public Rendezvous2Message ToRendezvous2() => new(_serverPublicKey, _auth);

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
        writer.WriteBytes(_cookie);
        writer.WriteBytes(_serverPublicKey);
        writer.WriteBytes(_auth);
    }
}

/// <summary>RENDEZVOUS2: handshake info = host's X25519 key (32) · hs_ntor AUTH (32).</summary>
public sealed class Rendezvous2Message : RelayMessage
{
    private readonly byte[] _serverPublicKey;
    private readonly byte[] _auth;

    /// <summary>Builds the message; wrong field lengths throw.</summary>
    public Rendezvous2Message(ReadOnlySpan<byte> serverPublicKey, ReadOnlySpan<byte> auth)
    {
        _serverPublicKey = HiddenPointWire.CopyExact(serverPublicKey, HiddenPointWire.X25519KeyLength, nameof(serverPublicKey));
        _auth = HiddenPointWire.CopyExact(auth, HiddenPointWire.MacLength, nameof(auth));
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.Rendezvous2;

    /// <summary>The host's ephemeral X25519 key.</summary>
    public ReadOnlySpan<byte> ServerPublicKey => _serverPublicKey;

    /// <summary>The hs_ntor authenticator.</summary>
    public ReadOnlySpan<byte> Auth => _auth;

    /// <inheritdoc/>
    public override int DataLength => HiddenPointWire.X25519KeyLength + HiddenPointWire.MacLength;

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out Rendezvous2Message? message, out DecodeError error)
    {
        message = null;
        if (!reader.TryReadBytes(HiddenPointWire.X25519KeyLength, out var key))
        {
            error = reader.Truncated();
            return false;
        }

        if (!TryReadExact(ref reader, HiddenPointWire.MacLength, out var auth, out error))
        {
            return false;
        }

        message = new Rendezvous2Message(key, auth);
        return true;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
        writer.WriteBytes(_serverPublicKey);
        writer.WriteBytes(_auth);
    }
}

/// <summary>
/// The plaintext inside INTRODUCE1/2's encrypted part: rendezvous cookie (20) · extensions · onion key type (1) = 1 ·
/// onion key length (2) = 32 · the rendezvous point's ntor key · the rendezvous point's link specifiers ·
/// zero padding (so that every introduction has the same size).
/// </summary>
public sealed class IntroducePlaintext
{
    /// <summary>ONION_KEY_TYPE for an X25519 (ntor) key: the only type accepted.</summary>
    public const byte OnionKeyTypeNtor = 1;

    private readonly byte[] _cookie;
    private readonly Extension[] _extensions;
    private readonly byte[] _onionKey;
    private readonly LinkSpecifiers _rendezvousPoint;

    /// <summary>Builds the plaintext; wrong field lengths throw.</summary>
    public IntroducePlaintext(ReadOnlySpan<byte> cookie, IReadOnlyList<Extension>? extensions, ReadOnlySpan<byte> onionKey, LinkSpecifiers rendezvousPoint)
    {
        ArgumentNullException.ThrowIfNull(rendezvousPoint);
        _cookie = HiddenPointWire.CopyExact(cookie, HiddenPointWire.RendezvousCookieLength, nameof(cookie));
        _extensions = ExtensionList.Validate(extensions, nameof(extensions));
        _onionKey = HiddenPointWire.CopyExact(onionKey, HiddenPointWire.X25519KeyLength, nameof(onionKey));
        _rendezvousPoint = rendezvousPoint;
    }

    /// <summary>The cookie the client gave its rendezvous point.</summary>
    public ReadOnlySpan<byte> Cookie => _cookie;

    /// <summary>Extensions, uninterpreted.</summary>
    public IReadOnlyList<Extension> Extensions => _extensions;

    /// <summary>The rendezvous point's ntor onion key.</summary>
    public ReadOnlySpan<byte> OnionKey => _onionKey;

    /// <summary>Where the rendezvous point is.</summary>
    public LinkSpecifiers RendezvousPoint => _rendezvousPoint;

    /// <summary>Length without padding: the least <see cref="Encode"/> accepts.</summary>
    public int UnpaddedLength =>
        HiddenPointWire.RendezvousCookieLength + ExtensionList.EncodedLength(_extensions) + 3 + HiddenPointWire.X25519KeyLength
        + _rendezvousPoint.EncodedLength; // key type, key length

    /// <summary>Decodes a whole plaintext; the padding must be zero.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> plaintext, [NotNullWhen(true)] out IntroducePlaintext? value, out DecodeError error)
    {
        value = null;
        var reader = new WireReader(plaintext);
        if (!reader.TryReadBytes(HiddenPointWire.RendezvousCookieLength, out var cookie))
        {
            error = reader.Truncated();
            return false;
        }

        if (!ExtensionList.TryDecode(ref reader, out var extensions, out error))
        {
            return false;
        }

        var typeAt = reader.Offset;
        if (!reader.TryReadU8(out var keyType))
        {
            error = reader.Truncated();
            return false;
        }

        if (keyType != OnionKeyTypeNtor)
        {
            error = new DecodeError(DecodeErrorKind.BadValue, typeAt, "onion key type must be ntor");
            return false;
        }

        var lengthAt = reader.Offset;
        if (!reader.TryReadU16(out var keyLength))
        {
            error = reader.Truncated();
            return false;
        }

        if (keyLength != HiddenPointWire.X25519KeyLength)
        {
            error = new DecodeError(DecodeErrorKind.BadLength, lengthAt, "onion key must be 32 bytes");
            return false;
        }

        if (!reader.TryReadBytes(HiddenPointWire.X25519KeyLength, out var onionKey))
        {
            error = reader.Truncated();
            return false;
        }

        if (!LinkSpecifiers.TryDecode(ref reader, out var rendezvousPoint, out error) || !reader.TryExpectZeroPadding(out error))
        {
            return false;
        }

        value = new IntroducePlaintext(cookie, extensions, onionKey, rendezvousPoint);
        return true;
    }

    /// <summary>Writes the plaintext and zero-fills the rest of <paramref name="destination"/> (its length is the padded size).</summary>
    public void Encode(Span<byte> destination)
    {
        var writer = new WireWriter(destination);
        writer.WriteBytes(_cookie);
        ExtensionList.Encode(ref writer, _extensions);
        writer.WriteU8(OnionKeyTypeNtor);
        writer.WriteU16(HiddenPointWire.X25519KeyLength);
        writer.WriteBytes(_onionKey);
        _rendezvousPoint.Encode(ref writer);
        writer.ZeroFillRest();
    }
}
