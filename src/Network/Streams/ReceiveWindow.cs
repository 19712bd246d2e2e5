using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Network.Streams;

/// <summary>
/// The receiving side of a stream's flow control. The circuit's reactor delivers DATA (<see cref="TryDeliver"/>); the
/// application's reads consume it (<see cref="Consume"/>), and every <see cref="StreamWindow.Increment"/> messages read
/// make one STREAM_SENDME due. Acknowledging what was read, not what arrived, is what carries a slow reader's pace
/// back to the sender. One producer (the reactor) and one consumer (the reader) at a time; no lock.
/// </summary>
/// <remarks>
/// A windowed stream holds at most <see cref="StreamWindow.Initial"/> unread messages, since the sender may not send
/// more; their lengths wait in a ring of that size so that bytes read can be counted back as messages. An unwindowed
/// stream (a directory stream) is bounded by bytes instead: more than <see cref="UnwindowedLimit"/> unread bytes is
/// refused.
/// </remarks>
internal sealed class ReceiveWindow
{
    /// <summary>Unread bytes an unwindowed stream may hold: the largest directory answer and a margin.</summary>
    public const int UnwindowedLimit = (8 * 1024 * 1024) + (64 * 1024);

    private readonly ushort[]? _lengths;
    private long _delivered;
    private long _consumed;
    private int _partial;
    private int _sinceSendme;
    private int _window = StreamWindow.Initial;
    private long _unreadBytes;

    public ReceiveWindow(bool windowed) => _lengths = windowed ? new ushort[StreamWindow.Initial] : null;

    /// <summary>True when the sender is held to <see cref="StreamWindow"/>.</summary>
    public bool IsWindowed => _lengths is not null;

    /// <summary>Counts one DATA message of <paramref name="length"/> bytes; false when the sender overran the window.</summary>
    public bool TryDeliver(int length)
    {
        if (_lengths is null)
        {
            return Interlocked.Add(ref _unreadBytes, length) <= UnwindowedLimit;
        }

        if (Interlocked.Decrement(ref _window) < 0)
        {
            return false;
        }

        var index = _delivered;
        _lengths[index % _lengths.Length] = (ushort)length;
        Volatile.Write(ref _delivered, index + 1);
        return true;
    }

    /// <summary>The reader consumed <paramref name="bytes"/>: returns how many STREAM_SENDMEs are now due.</summary>
    public int Consume(long bytes)
    {
        if (_lengths is null)
        {
            Interlocked.Add(ref _unreadBytes, -bytes);
            return 0;
        }

        var delivered = Volatile.Read(ref _delivered);
        var due = 0;
        while (bytes > 0 && _consumed < delivered)
        {
            var left = _lengths[_consumed % _lengths.Length] - _partial;
            if (bytes < left)
            {
                _partial += (int)bytes;
                break;
            }

            bytes -= left;
            _partial = 0;
            _consumed++;
            if (++_sinceSendme == StreamWindow.Increment)
            {
                _sinceSendme = 0;
                due++;
            }
        }

        return due;
    }

    /// <summary>A STREAM_SENDME is going out: the sender may send another increment.</summary>
    public void Reopen() => Interlocked.Add(ref _window, StreamWindow.Increment);
}
