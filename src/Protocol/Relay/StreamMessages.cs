using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Relay;

/// <summary>Why a stream ended (Tor's END reason numbers; those about exits never occur in HiddenPoint).</summary>
public enum EndReason : byte
{
    /// <summary>Unlisted reason.</summary>
    Misc = 1,

    /// <summary>The hidden point refused the connection (no service on that port).</summary>
    ConnectRefused = 3,

    /// <summary>The circuit is being destroyed.</summary>
    Destroy = 5,

    /// <summary>The stream closed normally.</summary>
    Done = 6,

    /// <summary>The stream timed out.</summary>
    Timeout = 7,

    /// <summary>An internal error.</summary>
    Internal = 10,

    /// <summary>Out of resources.</summary>
    ResourceLimit = 11,

    /// <summary>The connection was reset.</summary>
    ConnectionReset = 12,

    /// <summary>The peer broke the protocol.</summary>
    Protocol = 13,

    /// <summary>The relay is not a directory (answer to a directory command).</summary>
    NotDirectory = 14,
}

/// <summary>
/// BEGIN: virtual port (2, non-zero) · flags (4). There are no exits, so no address: the stream always goes to the
/// hidden point at the other end of the joined circuit. No flag is defined yet; unknown flags are kept, not refused,
/// so that a later version can add some.
/// </summary>
public sealed class BeginMessage : RelayMessage
{
    private readonly ushort _port;
    private readonly uint _flags;

    /// <summary>Builds a BEGIN; port zero throws.</summary>
    public BeginMessage(ushort port, uint flags = 0)
    {
        ArgumentOutOfRangeException.ThrowIfZero(port);
        _port = port;
        _flags = flags;
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.Begin;

    /// <summary>The hidden point's virtual port.</summary>
    public ushort Port => _port;

    /// <summary>Flags (none defined yet).</summary>
    public uint Flags => _flags;

    /// <inheritdoc/>
    public override int DataLength => 6; // port, flags

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out BeginMessage? message, out DecodeError error)
    {
        message = null;
        var portAt = reader.Offset;
        if (!reader.TryReadU16(out var port) || !reader.TryReadU32(out var flags))
        {
            error = reader.Truncated();
            return false;
        }

        if (port == 0)
        {
            error = new DecodeError(DecodeErrorKind.BadValue, portAt, "BEGIN port zero");
            return false;
        }

        if (!reader.TryExpectEnd(out error))
        {
            return false;
        }

        message = new BeginMessage(port, flags);
        return true;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
        writer.WriteU16(_port);
        writer.WriteU32(_flags);
    }
}

/// <summary>CONNECTED: empty (a hidden point has no address to report).</summary>
public sealed class ConnectedMessage : RelayMessage
{
    /// <summary>Builds a CONNECTED.</summary>
    public ConnectedMessage()
    {
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.Connected;

    /// <inheritdoc/>
    public override int DataLength => 0;

    /// <summary>Decodes the whole message data (must be empty).</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out ConnectedMessage? message, out DecodeError error)
    {
        message = reader.TryExpectEnd(out error) ? new ConnectedMessage() : null;
        return message is not null;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
    }
}

/// <summary>
/// STREAM_SENDME (HiddenPoint's own): empty. The receiver of a stream's DATA sends it each time its application has
/// read another <c>StreamSendmeIncrement</c> DATA messages of the stream, which lets the sender package that many more
/// (per-stream window; see docs/network.md). Circuit windows stay with the authenticated SENDME.
/// </summary>
public sealed class StreamSendmeMessage : RelayMessage
{
    /// <summary>Builds a STREAM_SENDME.</summary>
    public StreamSendmeMessage()
    {
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.StreamSendme;

    /// <inheritdoc/>
    public override int DataLength => 0;

    /// <summary>Decodes the whole message data (must be empty).</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out StreamSendmeMessage? message, out DecodeError error)
    {
        message = reader.TryExpectEnd(out error) ? new StreamSendmeMessage() : null;
        return message is not null;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
    }
}

/// <summary>
/// DATA: 1 to 488 bytes of stream payload. This type copies; the per-cell path reads
/// <see cref="RelayCellView.Data"/> instead.
/// </summary>
public sealed class DataMessage : RelayMessage
{
    private readonly byte[] _payload;

    /// <summary>Builds a DATA; empty or over-long payload throws.</summary>
    public DataMessage(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            throw new ArgumentException("DATA carries at least one byte.", nameof(payload));
        }

        _payload = payload.ToArray();
        EnsureFits();
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.Data;

    /// <summary>The stream bytes.</summary>
    public ReadOnlySpan<byte> Payload => _payload;

    /// <inheritdoc/>
    public override int DataLength => _payload.Length;

    /// <summary>
    /// Checks DATA without copying: an empty payload is malformed (it would be a free covert channel; DROP is the
    /// padding message).
    /// </summary>
    public static bool IsValidPayload(ReadOnlySpan<byte> payload, int offset, out DecodeError error)
    {
        if (payload.IsEmpty)
        {
            error = new DecodeError(DecodeErrorKind.BadLength, offset, "empty DATA");
            return false;
        }

        error = default;
        return true;
    }

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out DataMessage? message, out DecodeError error)
    {
        if (!FitsInCell(ref reader, RelayCommand.Data, out error))
        {
            message = null;
            return false;
        }

        var at = reader.Offset;
        var payload = reader.ReadRest();
        message = IsValidPayload(payload, at, out error) ? new DataMessage(payload) : null;
        return message is not null;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer) => writer.WriteBytes(_payload);
}

/// <summary>END: reason (1). Any reason byte is accepted (the enum is open).</summary>
public sealed class EndMessage : RelayMessage
{
    private readonly EndReason _reason;

    /// <summary>Builds an END.</summary>
    public EndMessage(EndReason reason)
    {
        _reason = reason;
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.End;

    /// <summary>Why the stream ended.</summary>
    public EndReason Reason => _reason;

    /// <inheritdoc/>
    public override int DataLength => 1;

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out EndMessage? message, out DecodeError error)
    {
        message = null;
        if (!reader.TryReadU8(out var reason))
        {
            error = reader.Truncated();
            return false;
        }

        if (!reader.TryExpectEnd(out error))
        {
            return false;
        }

        message = new EndMessage((EndReason)reason);
        return true;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer) => writer.WriteU8((byte)_reason);
}
