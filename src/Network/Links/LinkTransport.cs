using System.IO.Pipelines;
using System.Net.Sockets;

namespace HiddenPoint.Network.Links;

/// <summary>
/// The one seam between a link and its bytes: a duplex pipe and a way to tear it down. Links run over a TCP socket
/// (<see cref="FromSocket"/>) on the network and over in-memory pipes (<see cref="FromDuplexPipe"/>) in tests.
/// </summary>
public abstract class LinkTransport : IDuplexPipe, IAsyncDisposable
{
    /// <summary>Bytes from the peer.</summary>
    public abstract PipeReader Input { get; }

    /// <summary>Bytes to the peer.</summary>
    public abstract PipeWriter Output { get; }

    /// <summary>
    /// Wraps a connected socket; the transport owns it from now on. Reads are 16 KiB at a time (about 30 frames), so
    /// an idle link pins one such buffer while its read is pending. Writes go out in 64 KiB segments: the pipe writes
    /// each segment with its own send call, and a whole flush of the default <see cref="LinkOptions.MaxCellsPerFlush"/>
    /// (64 frames, 33,920 bytes) fits one segment, so it leaves in one send rather than three.
    /// </summary>
    public static LinkTransport FromSocket(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.NoDelay = true;
        return new SocketLinkTransport(socket);
    }

    /// <summary>
    /// Wraps any duplex pipe (in-memory pipes in tests). <paramref name="onDispose"/> runs once when the transport
    /// is disposed, after both pipe ends are completed.
    /// </summary>
    public static LinkTransport FromDuplexPipe(IDuplexPipe pipe, Action? onDispose = null)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        return new PipeLinkTransport(pipe, onDispose);
    }

    /// <summary>Completes both pipe ends and releases the connection; safe to call more than once.</summary>
    public abstract ValueTask DisposeAsync();

    private sealed class SocketLinkTransport : LinkTransport
    {
        private const int ReadBufferSize = 16 * 1024;
        private const int WriteSegmentSize = 64 * 1024;
        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly PipeReader _input;
        private readonly PipeWriter _output;
        private int _disposed;

        public SocketLinkTransport(Socket socket)
        {
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: true);
            _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: 1024, leaveOpen: true));
            _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: WriteSegmentSize, leaveOpen: true));
        }

        public override PipeReader Input => _input;

        public override PipeWriter Output => _output;

        public override async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            // Closing the socket first ends any read or write still pending on it; completing the pipes then
            // cannot block on a dead peer.
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already reset by the peer: nothing left to shut down.
            }
            catch (ObjectDisposedException)
            {
                // Already closed.
            }

            _socket.Close(0);

            // Completing the writer flushes whatever it still buffers into the socket just closed: that write fails
            // (the bytes were going to a dead peer anyway) and must not turn a cut-short handshake into an exception
            // out of the runtime's accept or connect.
            await CompleteQuietlyAsync(_input.CompleteAsync()).ConfigureAwait(false);
            await CompleteQuietlyAsync(_output.CompleteAsync()).ConfigureAwait(false);
            await CompleteQuietlyAsync(_stream.DisposeAsync()).ConfigureAwait(false);
        }

        private static async ValueTask CompleteQuietlyAsync(ValueTask completion)
        {
            try
            {
                await completion.ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The socket is closed: nothing left to deliver.
            }
            catch (ObjectDisposedException)
            {
                // Already closed.
            }
        }
    }

    private sealed class PipeLinkTransport : LinkTransport
    {
        private readonly IDuplexPipe _pipe;
        private readonly Action? _onDispose;
        private int _disposed;

        public PipeLinkTransport(IDuplexPipe pipe, Action? onDispose)
        {
            _pipe = pipe;
            _onDispose = onDispose;
        }

        public override PipeReader Input => _pipe.Input;

        public override PipeWriter Output => _pipe.Output;

        public override async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await _pipe.Input.CompleteAsync().ConfigureAwait(false);
            await _pipe.Output.CompleteAsync().ConfigureAwait(false);
            _onDispose?.Invoke();
        }
    }
}
