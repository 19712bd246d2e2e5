using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Cells;

/// <summary>
/// The circuit handshake type in CREATE2 and EXTEND2. Open: any 16-bit value converts. HiddenPoint speaks only
/// <see cref="NtorV3"/>; the others are named so that a refusal can say what was asked for.
/// </summary>
public enum HandshakeType : ushort
{
    /// <summary>TAP (obsolete, never accepted).</summary>
    Tap = 0,

    /// <summary>ntor (Tor's previous handshake, never accepted).</summary>
    Ntor = 2,

    /// <summary>ntor v3 with extension messages (Tor proposal 332): HiddenPoint's circuit handshake.</summary>
    NtorV3 = 3,
}

/// <summary>Why a circuit was destroyed (Tor's DESTROY reason numbers).</summary>
public enum DestroyReason : byte
{
    /// <summary>No reason given.</summary>
    None = 0,

    /// <summary>The peer broke the protocol.</summary>
    Protocol = 1,

    /// <summary>An internal error.</summary>
    Internal = 2,

    /// <summary>The other end asked for the teardown.</summary>
    Requested = 3,

    /// <summary>The relay is hibernating.</summary>
    Hibernating = 4,

    /// <summary>Out of memory, sockets or circuit ids.</summary>
    ResourceLimit = 5,

    /// <summary>Could not connect to the next relay.</summary>
    ConnectFailed = 6,

    /// <summary>The next relay had a different identity than requested.</summary>
    OrIdentity = 7,

    /// <summary>The link that carried the circuit closed.</summary>
    ChannelClosed = 8,

    /// <summary>The circuit expired or finished.</summary>
    Finished = 9,

    /// <summary>Circuit construction took too long.</summary>
    Timeout = 10,

    /// <summary>The circuit was destroyed without a client-side request.</summary>
    Destroyed = 11,

    /// <summary>A request for an unknown hidden point.</summary>
    NoSuchService = 12,
}

/// <summary>
/// CREATE2 body: handshake type (2) · handshake length (2) · handshake data · zero padding to 509.
/// </summary>
public sealed class Create2Body
{
    /// <summary>The most handshake data that fits in a cell body.</summary>
    public const int MaxHandshakeLength = Cell.BodyLength - 4; // type, length

    private readonly HandshakeType _handshakeType;
    private readonly byte[] _handshakeData;

    /// <summary>Builds a CREATE2 body; data longer than <see cref="MaxHandshakeLength"/> throws.</summary>
    public Create2Body(HandshakeType handshakeType, ReadOnlySpan<byte> handshakeData)
    {
        if (handshakeData.Length > MaxHandshakeLength)
        {
            throw new ArgumentException("Handshake data does not fit in a cell.", nameof(handshakeData));
        }

        _handshakeType = handshakeType;
        _handshakeData = handshakeData.ToArray();
    }

    /// <summary>The handshake type (3 = ntor v3).</summary>
    public HandshakeType HandshakeType => _handshakeType;

    /// <summary>The client's handshake message.</summary>
    public ReadOnlySpan<byte> HandshakeData => _handshakeData;

    /// <summary>Decodes a 509-byte body; padding after the handshake must be zero.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> body, [NotNullWhen(true)] out Create2Body? value, out DecodeError error)
    {
        value = null;
        if (!FitsInBody(body, out error))
        {
            return false;
        }

        var reader = new WireReader(body);
        if (!reader.TryReadU16(out var type))
        {
            error = reader.Truncated();
            return false;
        }

        if (!reader.TryReadU16Prefixed("handshake length exceeds the body", out var data, out error))
        {
            return false;
        }

        if (!reader.TryExpectZeroPadding(out error))
        {
            return false;
        }

        value = new Create2Body((HandshakeType)type, data);
        return true;
    }

    /// <summary>
    /// A body longer than a cell's is refused before anything is read: within 509 bytes the handshake data always fits
    /// the constructors' limits, while a longer span (the span entry points take any length) could announce more and
    /// make the constructor throw on input (found by the <c>extend2</c> fuzz harness).
    /// </summary>
    internal static bool FitsInBody(ReadOnlySpan<byte> body, out DecodeError error)
    {
        if (body.Length > Cell.BodyLength)
        {
            error = new DecodeError(DecodeErrorKind.BadLength, Cell.BodyLength, "body longer than a cell's");
            return false;
        }

        error = default;
        return true;
    }

    /// <summary>Writes the body into a 509-byte span, zero-filling the rest.</summary>
    public void Encode(Span<byte> body)
    {
        var writer = new WireWriter(body);
        writer.WriteU16((ushort)_handshakeType);
        writer.WriteU16((ushort)_handshakeData.Length);
        writer.WriteBytes(_handshakeData);
        writer.ZeroFillRest();
    }
}

/// <summary>CREATED2 body: handshake length (2) · handshake data · zero padding to 509.</summary>
public sealed class Created2Body
{
    /// <summary>The most handshake data that fits in a cell body.</summary>
    public const int MaxHandshakeLength = Cell.BodyLength - 2; // length

    private readonly byte[] _handshakeData;

    /// <summary>Builds a CREATED2 body; data longer than <see cref="MaxHandshakeLength"/> throws.</summary>
    public Created2Body(ReadOnlySpan<byte> handshakeData)
    {
        if (handshakeData.Length > MaxHandshakeLength)
        {
            throw new ArgumentException("Handshake data does not fit in a cell.", nameof(handshakeData));
        }

        _handshakeData = handshakeData.ToArray();
    }

    /// <summary>The server's handshake message.</summary>
    public ReadOnlySpan<byte> HandshakeData => _handshakeData;

    /// <summary>Decodes a 509-byte body; padding after the handshake must be zero.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> body, [NotNullWhen(true)] out Created2Body? value, out DecodeError error)
    {
        value = null;
        if (!Create2Body.FitsInBody(body, out error))
        {
            return false;
        }

        var reader = new WireReader(body);
        if (!reader.TryReadU16(out var length))
        {
            error = reader.Truncated();
            return false;
        }

        if (!reader.TryReadBytes(length, out var data))
        {
            error = new DecodeError(DecodeErrorKind.BadLength, 0, "handshake length exceeds the body");
            return false;
        }

        if (!reader.TryExpectZeroPadding(out error))
        {
            return false;
        }

        value = new Created2Body(data);
        return true;
    }

    /// <summary>Writes the body into a 509-byte span, zero-filling the rest.</summary>
    public void Encode(Span<byte> body)
    {
        var writer = new WireWriter(body);
        writer.WriteU16((ushort)_handshakeData.Length);
        writer.WriteBytes(_handshakeData);
        writer.ZeroFillRest();
    }
}

/// <summary>DESTROY body: reason (1) · zero padding to 509. Any reason byte is accepted (the enum is open).</summary>
public static class DestroyBody
{
    /// <summary>Decodes a 509-byte body.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> body, out DestroyReason reason, out DecodeError error)
    {
        var reader = new WireReader(body);
        if (!reader.TryReadU8(out var value))
        {
            reason = default;
            error = reader.Truncated();
            return false;
        }

        reason = (DestroyReason)value;
        return reader.TryExpectZeroPadding(out error);
    }

    /// <summary>Writes the body into a 509-byte span, zero-filling the rest.</summary>
    public static void Encode(DestroyReason reason, Span<byte> body)
    {
        var writer = new WireWriter(body);
        writer.WriteU8((byte)reason);
        writer.ZeroFillRest();
    }
}

/// <summary>PADDING body: 509 bytes whose content is ignored; HiddenPoint sends zeros.</summary>
public static class PaddingBody
{
    /// <summary>Writes a padding body.</summary>
    public static void Encode(Span<byte> body) => body.Clear();
}
