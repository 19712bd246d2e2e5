using System.Threading.Channels;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Network.Streams;

/// <summary>
/// The streams of one originator's circuit, by id, and where the far end's BEGINs go. Owned by the circuit's reactor:
/// every member runs there.
/// </summary>
/// <remarks>
/// This side allocates the ids of the streams it opens, one id space per circuit. The far end allocates the ids of
/// the streams it opens (a client's BEGINs arriving at a host); one that is in use closes the circuit. Messages for an
/// id that is not (or no longer) open are dropped: the far end may have sent them before it saw this side's END.
/// </remarks>
internal sealed class CircuitStreamMap(ClientCircuitReactor reactor, int maxStreams)
{
    private readonly Dictionary<ushort, CircuitStream> _streams = [];
    private ushort _lastId;
    private HopIndex _acceptingHop;
    private ChannelWriter<IncomingStream>? _accepting;

    /// <summary>Streams open now.</summary>
    public int Count => _streams.Count;

    /// <summary>Gives <paramref name="stream"/> a free id and adds it; false when the circuit carries the most streams.</summary>
    public bool TryAdd(CircuitStream stream)
    {
        if (_streams.Count >= maxStreams)
        {
            return false;
        }

        do
        {
            _lastId = (ushort)(_lastId == ushort.MaxValue ? 1 : _lastId + 1);
        }
        while (_streams.ContainsKey(_lastId));

        stream.Id = new StreamId(_lastId);
        _streams.Add(_lastId, stream);
        return true;
    }

    /// <summary>Forgets a stream this side ended.</summary>
    public void Remove(CircuitStream stream)
    {
        if (_streams.TryGetValue(stream.Id.Value, out var held) && ReferenceEquals(held, stream))
        {
            _streams.Remove(stream.Id.Value);
        }
    }

    /// <summary>From now on the far end's BEGINs from <paramref name="hop"/> go to <paramref name="accepting"/>.</summary>
    public void AcceptFrom(HopIndex hop, ChannelWriter<IncomingStream> accepting)
    {
        _accepting?.TryComplete();
        _acceptingHop = hop;
        _accepting = accepting;
    }

    /// <summary>A stream message from <paramref name="hop"/>. False when it breaks the protocol (the circuit closes).</summary>
    public bool OnMessage(HopIndex hop, RelayCommand command, StreamId id, ReadOnlySpan<byte> data)
    {
        if (command == RelayCommand.Begin)
        {
            return OnBegin(hop, id, data);
        }

        if (!_streams.TryGetValue(id.Value, out var stream) || stream.Hop != hop)
        {
            return true;
        }

        switch (command)
        {
            case RelayCommand.Data:
                return !data.IsEmpty && stream.OnData(data);
            case RelayCommand.End:
            {
                var reader = new WireReader(data);
                if (!EndMessage.TryDecode(ref reader, out var end, out _))
                {
                    return false;
                }

                _streams.Remove(id.Value);
                stream.OnEndedByPeer(end.Reason);
                return true;
            }

            case RelayCommand.Connected:
                return data.IsEmpty && stream.OnConnected();
            case RelayCommand.StreamSendme:
                return data.IsEmpty && stream.OnStreamSendme();
            default:
                return stream.OnMessage(new RelayMessageReceived(hop, command, data.ToArray()));
        }
    }

    /// <summary>The circuit closed: every stream ends, and nobody waits for BEGINs any more.</summary>
    public void CloseAll(CircuitCloseReason reason)
    {
        foreach (var stream in _streams.Values)
        {
            stream.OnCircuitClosed(reason);
        }

        _streams.Clear();
        _accepting?.TryComplete();
        _accepting = null;
    }

    private bool OnBegin(HopIndex hop, StreamId id, ReadOnlySpan<byte> data)
    {
        var reader = new WireReader(data);
        if (!BeginMessage.TryDecode(ref reader, out var begin, out _) || _streams.ContainsKey(id.Value))
        {
            return false;
        }

        if (_accepting is null || hop != _acceptingHop || _streams.Count >= maxStreams)
        {
            Refuse(hop, id, _accepting is null || hop != _acceptingHop ? EndReason.ConnectRefused : EndReason.ResourceLimit);
            return true;
        }

        var stream = new CircuitStream(reactor, this, hop, windowed: true, open: false) { Id = id };
        _streams.Add(id.Value, stream);
        if (!_accepting.TryWrite(new IncomingStream(reactor, stream, begin.Port)))
        {
            // Nobody takes streams fast enough: the backlog is full.
            _streams.Remove(id.Value);
            Refuse(hop, id, EndReason.ResourceLimit);
        }

        return true;
    }

    private void Refuse(HopIndex hop, StreamId id, EndReason reason)
    {
        var cell = reactor.Pool.Rent();
        RelayCell.Encode(cell.Body, new EndMessage(reason), id, RandomPaddingSource.Instance);
        reactor.SendDetached(hop.Value, cell);
    }
}
