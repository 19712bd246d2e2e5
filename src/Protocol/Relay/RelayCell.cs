using System.Buffers.Binary;
using System.Security.Cryptography;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Relay;

/// <summary>Supplies the random bytes that fill the end of a relay cell after its zero padding.</summary>
public interface IPaddingSource
{
    /// <summary>Fills <paramref name="destination"/> with unpredictable bytes.</summary>
    void Fill(Span<byte> destination);
}

/// <summary>The production padding source: the operating system's CSPRNG.</summary>
public sealed class RandomPaddingSource : IPaddingSource
{
    /// <summary>The one instance (stateless).</summary>
    public static RandomPaddingSource Instance { get; } = new();

    private RandomPaddingSource()
    {
    }

    /// <inheritdoc/>
    public void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}

/// <summary>
/// A decoded relay cell in the v1 layout, viewing the cell body without copying: the hot path reads DATA
/// payloads from here and never allocates.
/// </summary>
public readonly ref struct RelayCellView
{
    internal RelayCellView(ReadOnlySpan<byte> tag, RelayCommand command, StreamId streamId, ReadOnlySpan<byte> data, int dataOffset)
    {
        Tag = tag;
        Command = command;
        StreamId = streamId;
        Data = data;
        DataOffset = dataOffset;
    }

    /// <summary>The 16-byte CGO tag position (owned by the relay crypto layer).</summary>
    public ReadOnlySpan<byte> Tag { get; }

    /// <summary>The relay command.</summary>
    public RelayCommand Command { get; }

    /// <summary>The stream, or <c>default</c> for commands without one.</summary>
    public StreamId StreamId { get; }

    /// <summary>The message data (length taken from the length field; padding excluded).</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Offset of <see cref="Data"/> in the cell body, for error offsets relative to the body.</summary>
    public int DataOffset { get; }
}

/// <summary>
/// The relay cell v1 layout inside a 509-byte cell body:
/// tag (16) · command (1) · length (2) · [stream id (2), stream commands only] · data · padding.
/// Padding is up to four zero bytes and then random bytes; a decoder ignores it.
/// </summary>
public static class RelayCell
{
    /// <summary>Length of the CGO tag.</summary>
    public const int TagLength = 16;

    /// <summary>Offset of the relay command.</summary>
    public const int CommandOffset = TagLength;

    /// <summary>Offset of the length field.</summary>
    public const int LengthOffset = CommandOffset + 1; // tag, command

    /// <summary>Offset of the stream id (stream commands) or of the data (others).</summary>
    public const int StreamIdOffset = LengthOffset + 2; // tag, command, length

    /// <summary>Header length for commands without a stream id.</summary>
    public const int HeaderLengthWithoutStream = StreamIdOffset;

    /// <summary>Header length for stream commands.</summary>
    public const int HeaderLengthWithStream = StreamIdOffset + 2; // tag, command, length, stream id

    /// <summary>Most data a message without a stream id can carry (490).</summary>
    public const int MaxDataWithoutStream = Cell.BodyLength - HeaderLengthWithoutStream;

    /// <summary>Most data a stream message can carry (488).</summary>
    public const int MaxDataWithStream = Cell.BodyLength - HeaderLengthWithStream;

    /// <summary>How many zero bytes follow the data before the random filler (fewer if the cell is full).</summary>
    public const int ZeroPaddingLength = 4;

    /// <summary>The most data a message with <paramref name="command"/> can carry.</summary>
    public static int MaxDataLength(RelayCommand command) =>
        RelayCommands.CarriesStreamId(command) ? MaxDataWithStream : MaxDataWithoutStream;

    /// <summary>
    /// Parses the v1 header of a decrypted, recognized 509-byte relay cell body. Checks the length field and
    /// the stream id rule; the command itself is not checked (see <see cref="RelayMessage.TryDecode(ReadOnlySpan{byte}, RelayCommandSet, out RelayMessage?, out StreamId, out DecodeError)"/>).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out RelayCellView view, out DecodeError error)
    {
        if (body.Length != Cell.BodyLength)
        {
            throw new ArgumentException("A relay cell body is exactly 509 bytes.", nameof(body));
        }

        view = default;
        var command = (RelayCommand)body[CommandOffset];
        int length = BinaryPrimitives.ReadUInt16BigEndian(body[LengthOffset..]);
        var streamId = default(StreamId);
        int dataOffset;
        if (RelayCommands.CarriesStreamId(command))
        {
            streamId = new StreamId(BinaryPrimitives.ReadUInt16BigEndian(body[StreamIdOffset..]));
            if (!streamId.IsPresent)
            {
                error = new DecodeError(DecodeErrorKind.ZeroStreamId, StreamIdOffset, "stream command with stream id zero");
                return false;
            }

            dataOffset = HeaderLengthWithStream;
        }
        else
        {
            dataOffset = HeaderLengthWithoutStream;
        }

        if (length > Cell.BodyLength - dataOffset)
        {
            error = new DecodeError(DecodeErrorKind.BadLength, LengthOffset, "relay message length exceeds the cell");
            return false;
        }

        view = new RelayCellView(body[..TagLength], command, streamId, body.Slice(dataOffset, length), dataOffset);
        error = default;
        return true;
    }

    /// <summary>
    /// Writes a relay cell body: zero tag (the relay crypto layer owns those bytes), header, data, then up to
    /// four zero bytes and random filler from <paramref name="padding"/>. Caller misuse (wrong body size, data too
    /// long, stream id present or absent against the command) throws.
    /// </summary>
    public static void Encode(Span<byte> body, RelayCommand command, StreamId streamId, ReadOnlySpan<byte> data, IPaddingSource padding)
    {
        ArgumentNullException.ThrowIfNull(padding);
        var writer = BeginEncode(body, command, streamId, data.Length);
        writer.WriteBytes(data);
        FinishEncode(ref writer, padding);
    }

    /// <summary>Writes a message through its own encoder (see <see cref="Encode(Span{byte}, RelayCommand, StreamId, ReadOnlySpan{byte}, IPaddingSource)"/>).</summary>
    public static void Encode(Span<byte> body, RelayMessage message, StreamId streamId, IPaddingSource padding)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(padding);
        var writer = BeginEncode(body, message.Command, streamId, message.DataLength);
        var start = writer.Written;
        message.EncodeData(ref writer);
        if (writer.Written - start != message.DataLength)
        {
            throw new InvalidOperationException("A message wrote a different length than it declared.");
        }

        FinishEncode(ref writer, padding);
    }

    private static WireWriter BeginEncode(Span<byte> body, RelayCommand command, StreamId streamId, int dataLength)
    {
        if (body.Length != Cell.BodyLength)
        {
            throw new ArgumentException("A relay cell body is exactly 509 bytes.", nameof(body));
        }

        var carriesStream = RelayCommands.CarriesStreamId(command);
        if (carriesStream != streamId.IsPresent)
        {
            throw new ArgumentException("Stream id presence does not match the command.", nameof(streamId));
        }

        if (dataLength > MaxDataLength(command))
        {
            throw new ArgumentException("Relay message data does not fit in one cell.", nameof(dataLength));
        }

        var writer = new WireWriter(body);
        writer.WriteZeros(TagLength);
        writer.WriteU8((byte)command);
        writer.WriteU16((ushort)dataLength);
        if (carriesStream)
        {
            writer.WriteU16(streamId.Value);
        }

        return writer;
    }

    private static void FinishEncode(ref WireWriter writer, IPaddingSource padding)
    {
        writer.WriteZeros(Math.Min(ZeroPaddingLength, writer.Remaining));
        padding.Fill(writer.Reserve(writer.Remaining));
    }
}
