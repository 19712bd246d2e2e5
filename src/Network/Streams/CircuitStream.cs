using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Threading.Channels;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Network.Streams;

/// <summary>
/// A stream on a circuit: bytes both ways as DATA messages between this party and one hop (the host at the end of a
/// joined rendezvous circuit, or a relay serving a directory request). <see cref="Input"/> yields what arrives and
/// <see cref="Output"/> takes what to send; <see cref="AsStream"/> wraps both as a <see cref="System.IO.Stream"/>.
/// </summary>
/// <remarks>
/// <para>
/// Back-pressure runs end to end. A BEGIN stream is windowed (<see cref="StreamWindow"/>): the sender sends at most
/// <see cref="StreamWindow.Initial"/> DATA messages beyond what the receiver's application has read, so a reader that
/// stops reading stops the sender after that many, other streams of the circuit carry on, and no queue grows. On the
/// sending side the output pipe pauses its writer once 64 KiB wait.
/// </para>
/// <para>
/// An END from either side ends the whole stream, as in Tor: there is no half-close. Completing <see cref="Output"/>
/// only says that nothing more will be written (a directory upload then waits for the answer);
/// <see cref="CloseAsync"/> sends what is left, then END.
/// </para>
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A circuit's stream in Tor's sense; AsStream gives the System.IO.Stream.")]
public sealed class CircuitStream : IDuplexPipe, IAsyncDisposable
{
    private const int Opening = 0;
    private const int Open = 1;
    private const int Ended = 2;

    private readonly ClientCircuitReactor _reactor;
    private readonly CircuitStreamMap _map;
    // Segments of 16 KiB rather than the default 4 KiB: a full receive window (500 cells, ~250 KB) then holds ~16 of them
    // instead of ~60, few enough for the shared array pool to keep on a one-core machine, where its per-core cache is
    // smallest; with 4 KiB segments the excess was allocated and dropped, ~100 B per cell.
    private const int SegmentSize = 16 * 1024;

    private readonly Pipe _inbound = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: SegmentSize, useSynchronizationContext: false));
    private readonly Pipe _outbound = new(new PipeOptions(
        pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, minimumSegmentSize: SegmentSize, useSynchronizationContext: false));
    private readonly StreamInputReader _input;
    private readonly ReceiveWindow _window;
    private readonly PackageCredit? _credit;
    private readonly Channel<RelayMessageReceived> _messages = Channel.CreateBounded<RelayMessageReceived>(4);
    private readonly TaskCompletionSource<bool> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<StreamEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _pump = Task.CompletedTask;
    private int _state;
    private bool _inboundCompleted;

    internal CircuitStream(ClientCircuitReactor reactor, CircuitStreamMap map, HopIndex hop, bool windowed, bool open)
    {
        _reactor = reactor;
        _map = map;
        Hop = hop;
        _window = new ReceiveWindow(windowed);
        _credit = windowed ? new PackageCredit() : null;
        _input = new StreamInputReader(_inbound.Reader, this);
        _state = open ? Open : Opening;
    }

    /// <summary>The stream's id on its circuit.</summary>
    public StreamId Id { get; internal set; }

    /// <summary>The hop at the far end of the stream.</summary>
    public HopIndex Hop { get; }

    /// <summary>What arrives on the stream. Completes when the stream ends (with an error unless it ended with DONE).</summary>
    public PipeReader Input => _input;

    /// <summary>What to send on the stream.</summary>
    public PipeWriter Output => _outbound.Writer;

    /// <summary>Completes once the stream has ended, saying how.</summary>
    public Task<StreamEnd> Completion => _ended.Task;

    /// <summary>True once the stream has ended.</summary>
    public bool IsEnded => Volatile.Read(ref _state) == Ended;

    internal Task<bool> Opened => _opened.Task;

    /// <summary>Both directions as one <see cref="System.IO.Stream"/>; disposing it closes the stream.</summary>
    public Stream AsStream() => new DuplexPipeStream(this);

    /// <summary>
    /// Waits for the next stream message that is neither DATA nor END (a DIRECTORY_RESPONSE on a directory stream).
    /// Throws <see cref="ChannelClosedException"/> when the stream ends first.
    /// </summary>
    public ValueTask<RelayMessageReceived> ReceiveMessageAsync(CancellationToken cancellationToken = default) =>
        _messages.Reader.ReadAsync(cancellationToken);

    /// <summary>
    /// Sends what <see cref="Output"/> still holds, then END with <paramref name="reason"/>. When
    /// <paramref name="cancellationToken"/> fires first (the far end has stopped reading), the rest is dropped and END
    /// goes at once.
    /// </summary>
    public async Task CloseAsync(EndReason reason = EndReason.Done, CancellationToken cancellationToken = default)
    {
        await _outbound.Writer.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _pump.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await EndLocallyAsync(reason).ConfigureAwait(false);
    }

    /// <summary>Ends the stream at once: what <see cref="Output"/> still holds is dropped, END goes with <paramref name="reason"/>.</summary>
    public void Abort(EndReason reason = EndReason.Misc) => _ = EndLocallyAsync(reason);

    /// <summary>Closes the stream (<see cref="CloseAsync"/> with DONE), waiting at most 5 s for unsent data to go.</summary>
    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await CloseAsync(EndReason.Done, bound.Token).ConfigureAwait(false);
    }

    /// <summary>Starts sending what <see cref="Output"/> takes; once, when the stream is open.</summary>
    internal void StartSending() => _pump = PumpAsync();

    /// <summary>Reactor: CONNECTED arrived. False when the stream was not waiting for it.</summary>
    internal bool OnConnected()
    {
        if (Interlocked.CompareExchange(ref _state, Open, Opening) != Opening)
        {
            return false;
        }

        StartSending();
        _opened.TrySetResult(true);
        return true;
    }

    /// <summary>This side accepts the far end's BEGIN; false when the stream ended meanwhile. Sending starts after CONNECTED.</summary>
    internal bool MarkAccepted() => Interlocked.CompareExchange(ref _state, Open, Opening) == Opening;

    /// <summary>Reactor: DATA arrived. False when the sender overran the stream's window (the circuit closes).</summary>
    internal bool OnData(ReadOnlySpan<byte> payload)
    {
        if (_inboundCompleted || IsEnded)
        {
            // This side ended the stream; DATA the far end sent before it learnt of that is dropped.
            return true;
        }

        if (!_window.TryDeliver(payload.Length))
        {
            return false;
        }

        // The inbound pipe never pauses its writer: the window, not the pipe, bounds what waits in it.
        var writer = _inbound.Writer;
        writer.Write(payload);
        var flush = writer.FlushAsync();
        if (!flush.IsCompletedSuccessfully)
        {
            _ = flush.AsTask();
        }

        return true;
    }

    /// <summary>Reactor: STREAM_SENDME arrived. False when the stream is not windowed or it gives credit never used.</summary>
    internal bool OnStreamSendme() => _credit is not null && _credit.Grant();

    /// <summary>Reactor: another stream message for the application. False when it has let too many wait.</summary>
    internal bool OnMessage(RelayMessageReceived message) => _messages.Writer.TryWrite(message);

    /// <summary>Reactor: the far end sent END. The map has forgotten the stream already.</summary>
    internal void OnEndedByPeer(EndReason reason)
    {
        TryEnd(new StreamEnd(reason, ByPeer: true));
        CompleteInbound(reason == EndReason.Done ? null : new IOException($"The far end ended the stream ({reason})."));
    }

    /// <summary>Reactor: the circuit closed under the stream.</summary>
    internal void OnCircuitClosed(CircuitCloseReason reason)
    {
        TryEnd(new StreamEnd(EndReason.Destroy, ByPeer: true, reason));
        CompleteInbound(new IOException($"The circuit closed under the stream ({reason})."));
    }

    /// <summary>The reader consumed <paramref name="bytes"/>: acknowledges every increment of DATA read.</summary>
    internal void OnConsumed(long bytes)
    {
        var due = _window.Consume(bytes);
        for (var i = 0; i < due && !IsEnded; i++)
        {
            // The window reopens before the peer can learn of it, so its next DATA never looks like an overrun.
            _window.Reopen();
            var cell = _reactor.Pool.Rent();
            RelayCell.Encode(cell.Body, RelayCommand.StreamSendme, Id, [], RandomPaddingSource.Instance);
            _reactor.SendDetached(Hop.Value, cell);
        }
    }

    private bool TryEnd(StreamEnd end)
    {
        if (Interlocked.Exchange(ref _state, Ended) == Ended)
        {
            return false;
        }

        _credit?.Close();
        _outbound.Reader.CancelPendingRead();
        _messages.Writer.TryComplete();
        _opened.TrySetResult(false);
        _ended.TrySetResult(end);
        return true;
    }

    // Only the reactor writes the inbound pipe, so only the reactor completes it, once.
    private void CompleteInbound(Exception? error)
    {
        if (!_inboundCompleted)
        {
            _inboundCompleted = true;
            _inbound.Writer.Complete(error);
        }
    }

    private async Task EndLocallyAsync(EndReason reason)
    {
        if (!TryEnd(new StreamEnd(reason, ByPeer: false)))
        {
            return;
        }

        var cell = _reactor.Pool.Rent();
        RelayCell.Encode(cell.Body, new EndMessage(reason), Id, RandomPaddingSource.Instance);
        await _reactor.SendAsync(Hop, cell).ConfigureAwait(false);

        // When the circuit closes first, the stream is still in the map, and the close completes the pipe.
        _reactor.Run(() =>
        {
            _map.Remove(this);
            CompleteInbound(reason == EndReason.Done ? null : new IOException($"This side ended the stream ({reason})."));
        });
    }

    private async Task PumpAsync()
    {
        var reader = _outbound.Reader;
        var scratch = new byte[RelayCell.MaxDataWithStream];
        try
        {
            while (!IsEnded)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (!buffer.IsEmpty && !IsEnded)
                    {
                        if (_credit is not null && !await _credit.TakeAsync().ConfigureAwait(false))
                        {
                            return;
                        }

                        var chunk = buffer.Slice(0, Math.Min(buffer.Length, RelayCell.MaxDataWithStream));
                        var cell = EncodeData(chunk, scratch);
                        buffer = buffer.Slice(chunk.End);
                        if (await _reactor.SendAsync(Hop, cell).ConfigureAwait(false) != CircuitSendResult.Queued)
                        {
                            return;
                        }
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private CellBuffer EncodeData(ReadOnlySequence<byte> chunk, byte[] scratch)
    {
        ReadOnlySpan<byte> payload;
        if (chunk.IsSingleSegment)
        {
            payload = chunk.FirstSpan;
        }
        else
        {
            chunk.CopyTo(scratch);
            payload = scratch.AsSpan(0, (int)chunk.Length);
        }

        var cell = _reactor.Pool.Rent();
        RelayCell.Encode(cell.Body, RelayCommand.Data, Id, payload, RandomPaddingSource.Instance);
        return cell;
    }
}
