using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Relay;

/// <summary>
/// A decoded relay message. Each command has its own small type with a static <c>TryDecode(ref WireReader, ...)</c>
/// that reads the whole data and ends with an end-of-input check, and an <see cref="EncodeData"/> that writes it
/// back. Unknown commands decode to <see cref="UnrecognizedMessage"/>, never to an error.
/// </summary>
/// <remarks>
/// Decoding to these objects allocates, which is right for circuit control but not for stream payloads: the
/// per-cell DATA path reads <see cref="RelayCellView.Data"/> from <see cref="RelayCell.TryParse"/> directly.
/// </remarks>
public abstract class RelayMessage
{
    private protected RelayMessage()
    {
    }

    /// <summary>The relay command of this message.</summary>
    public abstract RelayCommand Command { get; }

    /// <summary>How many bytes <see cref="EncodeData"/> writes.</summary>
    public abstract int DataLength { get; }

    /// <summary>Writes the message data (no relay header, no padding).</summary>
    public abstract void EncodeData(ref WireWriter writer);

    /// <summary>The message data as a new array.</summary>
    public byte[] EncodeData()
    {
        var bytes = new byte[DataLength];
        var writer = new WireWriter(bytes);
        EncodeData(ref writer);
        return bytes;
    }

    /// <summary>
    /// Decodes message data for <paramref name="command"/>; error offsets are relative to <paramref name="data"/>.
    /// </summary>
    public static bool TryDecode(RelayCommand command, ReadOnlySpan<byte> data, [NotNullWhen(true)] out RelayMessage? message, out DecodeError error)
    {
        var reader = new WireReader(data);
        return TryDecode(command, ref reader, out message, out error);
    }

    /// <summary>
    /// Decodes a whole decrypted 509-byte relay cell body: v1 header, then the check against the commands the
    /// current state accepts, then the message. Error offsets are relative to the body.
    /// </summary>
    public static bool TryDecode(
        ReadOnlySpan<byte> body,
        RelayCommandSet allowed,
        [NotNullWhen(true)] out RelayMessage? message,
        out StreamId streamId,
        out DecodeError error)
    {
        message = null;
        streamId = default;
        if (!RelayCell.TryParse(body, out var view, out error))
        {
            return false;
        }

        if (!allowed.Contains(view.Command))
        {
            error = new DecodeError(DecodeErrorKind.CommandNotAllowed, RelayCell.CommandOffset, "command not allowed in this state");
            return false;
        }

        streamId = view.StreamId;
        var reader = new WireReader(view.Data, view.DataOffset);
        return TryDecode(view.Command, ref reader, out message, out error);
    }

    /// <summary>Decodes message data from <paramref name="reader"/>, which must hold exactly the data.</summary>
    public static bool TryDecode(RelayCommand command, ref WireReader reader, [NotNullWhen(true)] out RelayMessage? message, out DecodeError error)
    {
        bool ok;
        switch (command)
        {
            case RelayCommand.Begin:
                ok = BeginMessage.TryDecode(ref reader, out var begin, out error);
                message = begin;
                break;
            case RelayCommand.Data:
                ok = DataMessage.TryDecode(ref reader, out var data, out error);
                message = data;
                break;
            case RelayCommand.End:
                ok = EndMessage.TryDecode(ref reader, out var end, out error);
                message = end;
                break;
            case RelayCommand.Connected:
                ok = ConnectedMessage.TryDecode(ref reader, out var connected, out error);
                message = connected;
                break;
            case RelayCommand.Sendme:
                ok = SendmeMessage.TryDecode(ref reader, out var sendme, out error);
                message = sendme;
                break;
            case RelayCommand.Drop:
                ok = DropMessage.TryDecode(ref reader, out var drop, out error);
                message = drop;
                break;
            case RelayCommand.Extend2:
                ok = Extend2Message.TryDecode(ref reader, out var extend2, out error);
                message = extend2;
                break;
            case RelayCommand.Extended2:
                ok = Extended2Message.TryDecode(ref reader, out var extended2, out error);
                message = extended2;
                break;
            case RelayCommand.EstablishIntro:
                ok = EstablishIntroMessage.TryDecode(ref reader, out var establishIntro, out error);
                message = establishIntro;
                break;
            case RelayCommand.IntroEstablished:
                ok = IntroEstablishedMessage.TryDecode(ref reader, out var introEstablished, out error);
                message = introEstablished;
                break;
            case RelayCommand.Introduce1:
                ok = Introduce1Message.TryDecode(ref reader, out var introduce1, out error);
                message = introduce1;
                break;
            case RelayCommand.Introduce2:
                ok = Introduce2Message.TryDecode(ref reader, out var introduce2, out error);
                message = introduce2;
                break;
            case RelayCommand.IntroduceAck:
                ok = IntroduceAckMessage.TryDecode(ref reader, out var introduceAck, out error);
                message = introduceAck;
                break;
            case RelayCommand.EstablishRendezvous:
                ok = EstablishRendezvousMessage.TryDecode(ref reader, out var establishRendezvous, out error);
                message = establishRendezvous;
                break;
            case RelayCommand.RendezvousEstablished:
                ok = RendezvousEstablishedMessage.TryDecode(ref reader, out var rendezvousEstablished, out error);
                message = rendezvousEstablished;
                break;
            case RelayCommand.Rendezvous1:
                ok = Rendezvous1Message.TryDecode(ref reader, out var rendezvous1, out error);
                message = rendezvous1;
                break;
            case RelayCommand.Rendezvous2:
                ok = Rendezvous2Message.TryDecode(ref reader, out var rendezvous2, out error);
                message = rendezvous2;
                break;
            case RelayCommand.DescriptorStore:
                ok = DescriptorStoreMessage.TryDecode(ref reader, out var store, out error);
                message = store;
                break;
            case RelayCommand.DescriptorFetch:
                ok = DescriptorFetchMessage.TryDecode(ref reader, out var fetch, out error);
                message = fetch;
                break;
            case RelayCommand.DirectoryRequest:
                ok = DirectoryRequestMessage.TryDecode(ref reader, out var request, out error);
                message = request;
                break;
            case RelayCommand.DirectoryResponse:
                ok = DirectoryResponseMessage.TryDecode(ref reader, out var response, out error);
                message = response;
                break;
            case RelayCommand.StreamSendme:
                ok = StreamSendmeMessage.TryDecode(ref reader, out var streamSendme, out error);
                message = streamSendme;
                break;
            default:
                if (!FitsInCell(ref reader, command, out error))
                {
                    message = null;
                    return false;
                }

                message = new UnrecognizedMessage(command, reader.ReadRest());
                error = default;
                return true;
        }

        if (!ok)
        {
            message = null;
        }

        return ok;
    }

    /// <summary>
    /// Helper for decoders of variable-length messages: data longer than one relay cell can carry is refused
    /// before anything is parsed (the span entry points accept any length).
    /// </summary>
    private protected static bool FitsInCell(ref WireReader reader, RelayCommand command, out DecodeError error)
    {
        if (reader.Remaining > RelayCell.MaxDataLength(command))
        {
            error = new DecodeError(DecodeErrorKind.BadLength, reader.Offset, "message longer than one relay cell");
            return false;
        }

        error = default;
        return true;
    }

    /// <summary>Helper for decoders: a fixed-length field that must fill the rest of the data exactly.</summary>
    private protected static bool TryReadExact(ref WireReader reader, int length, out ReadOnlySpan<byte> bytes, out DecodeError error)
    {
        if (!reader.TryReadBytes(length, out bytes))
        {
            error = reader.Truncated();
            return false;
        }

        return reader.TryExpectEnd(out error);
    }

    /// <summary>Helper for constructors: throws when data would not fit in one relay cell.</summary>
    private protected void EnsureFits()
    {
        if (DataLength > RelayCell.MaxDataLength(Command))
        {
            throw new ArgumentException("The message does not fit in one relay cell.");
        }
    }
}

/// <summary>A message with a command this layer does not know: the command and its raw data.</summary>
public sealed class UnrecognizedMessage : RelayMessage
{
    private readonly RelayCommand _command;
    private readonly byte[] _data;

    /// <summary>Keeps a copy of the data.</summary>
    public UnrecognizedMessage(RelayCommand command, ReadOnlySpan<byte> data)
    {
        _command = command;
        _data = data.ToArray();
        EnsureFits();
    }

    /// <inheritdoc/>
    public override RelayCommand Command => _command;

    /// <summary>The raw message data.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <inheritdoc/>
    public override int DataLength => _data.Length;

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer) => writer.WriteBytes(_data);
}

/// <summary>
/// An immutable set of relay commands: what one protocol state accepts. Checked before a message is decoded,
/// so a message that is not allowed is never parsed.
/// </summary>
public readonly struct RelayCommandSet : IEquatable<RelayCommandSet>
{
    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    private RelayCommandSet(ulong w0, ulong w1, ulong w2, ulong w3)
    {
        _w0 = w0;
        _w1 = w1;
        _w2 = w2;
        _w3 = w3;
    }

    /// <summary>Every command, unknown ones included (for a decoder that applies no state restriction).</summary>
    public static RelayCommandSet All => new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    /// <summary>A set of exactly <paramref name="commands"/>.</summary>
    public static RelayCommandSet Of(params ReadOnlySpan<RelayCommand> commands)
    {
        var set = default(RelayCommandSet);
        foreach (var command in commands)
        {
            set = set.With(command);
        }

        return set;
    }

    /// <summary>This set with <paramref name="command"/> added.</summary>
    public RelayCommandSet With(RelayCommand command)
    {
        var bit = 1UL << ((byte)command & 63);
        return ((byte)command >> 6) switch
        {
            0 => new(_w0 | bit, _w1, _w2, _w3),
            1 => new(_w0, _w1 | bit, _w2, _w3),
            2 => new(_w0, _w1, _w2 | bit, _w3),
            _ => new(_w0, _w1, _w2, _w3 | bit),
        };
    }

    /// <summary>True when <paramref name="command"/> is in the set.</summary>
    public bool Contains(RelayCommand command)
    {
        var word = ((byte)command >> 6) switch
        {
            0 => _w0,
            1 => _w1,
            2 => _w2,
            _ => _w3,
        };
        return (word & (1UL << ((byte)command & 63))) != 0;
    }

    /// <summary>Returns a typed "command not allowed in this state" error at the command's offset in a relay cell body.</summary>
    public bool Check(RelayCommand command, out DecodeError error)
    {
        if (Contains(command))
        {
            error = default;
            return true;
        }

        error = new DecodeError(DecodeErrorKind.CommandNotAllowed, RelayCell.CommandOffset, "command not allowed in this state");
        return false;
    }

    /// <inheritdoc/>
    public bool Equals(RelayCommandSet other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RelayCommandSet other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <summary>Equality.</summary>
    public static bool operator ==(RelayCommandSet left, RelayCommandSet right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(RelayCommandSet left, RelayCommandSet right) => !left.Equals(right);
}

/// <summary>
/// The relay commands each protocol state accepts, named after the state. SENDME and DROP are accepted wherever
/// a circuit is open, since flow control and padding are not tied to a state.
/// </summary>
public static class RelayStates
{
    /// <summary>A client waiting for EXTENDED2 from the last hop.</summary>
    public static RelayCommandSet ClientAwaitingExtended => RelayCommandSet.Of(RelayCommand.Extended2, RelayCommand.Drop);

    /// <summary>A host's circuit to its introduction point, after sending ESTABLISH_INTRO.</summary>
    public static RelayCommandSet HostOnIntroCircuit => RelayCommandSet.Of(
        RelayCommand.IntroEstablished, RelayCommand.Introduce2, RelayCommand.Sendme, RelayCommand.Drop);

    /// <summary>A client's circuit to an introduction point, after sending INTRODUCE1.</summary>
    public static RelayCommandSet ClientOnIntroCircuit => RelayCommandSet.Of(
        RelayCommand.IntroduceAck, RelayCommand.Sendme, RelayCommand.Drop);

    /// <summary>A client's circuit to its rendezvous point, after sending ESTABLISH_RENDEZVOUS.</summary>
    public static RelayCommandSet ClientAwaitingRendezvousEstablished => RelayCommandSet.Of(
        RelayCommand.RendezvousEstablished, RelayCommand.Sendme, RelayCommand.Drop);

    /// <summary>A client's established rendezvous circuit, waiting for the host's RENDEZVOUS2.</summary>
    public static RelayCommandSet ClientAwaitingRendezvous2 => RelayCommandSet.Of(
        RelayCommand.Rendezvous2, RelayCommand.Sendme, RelayCommand.Drop);

    /// <summary>Either end of a joined rendezvous circuit: streams between client and host.</summary>
    public static RelayCommandSet JoinedCircuit => RelayCommandSet.Of(
        RelayCommand.Begin, RelayCommand.Connected, RelayCommand.Data, RelayCommand.End, RelayCommand.StreamSendme,
        RelayCommand.Sendme, RelayCommand.Drop);

    /// <summary>A relay receiving a message addressed to it by the circuit's originator.</summary>
    public static RelayCommandSet RelayFromOriginator => RelayCommandSet.Of(
        RelayCommand.Extend2, RelayCommand.EstablishIntro, RelayCommand.Introduce1,
        RelayCommand.EstablishRendezvous, RelayCommand.Rendezvous1,
        RelayCommand.DescriptorStore, RelayCommand.DescriptorFetch, RelayCommand.DirectoryRequest,
        RelayCommand.Data, RelayCommand.End, RelayCommand.Sendme, RelayCommand.Drop);

    /// <summary>A client reading the answer on a directory stream (HSDir or directory cache).</summary>
    public static RelayCommandSet ClientOnDirectoryStream => RelayCommandSet.Of(
        RelayCommand.DirectoryResponse, RelayCommand.Data, RelayCommand.End, RelayCommand.Sendme, RelayCommand.Drop);
}
