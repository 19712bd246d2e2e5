namespace HiddenPoint.Network.Streams;

/// <summary>
/// A <see cref="CircuitStream"/> as a <see cref="Stream"/>: reads from its input, writes (and flushes) to its output;
/// disposing closes the circuit stream.
/// </summary>
internal sealed class DuplexPipeStream(CircuitStream stream) : Stream
{
    private readonly Stream _reading = stream.Input.AsStream(leaveOpen: true);
    private readonly Stream _writing = stream.Output.AsStream(leaveOpen: true);

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => _reading.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _reading.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _reading.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _reading.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _writing.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _writing.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _writing.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _writing.WriteAsync(buffer, cancellationToken);

    public override void Flush() => _writing.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _writing.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            stream.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }
}
