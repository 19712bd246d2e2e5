namespace HiddenPoint.Client.Api.Server;

/// <summary>
/// The read side of an API connection, cut off when one line (one JSON-RPC message) grows beyond a limit: the
/// newline-delimited reader would otherwise buffer a line without end. Reading past the limit throws
/// <see cref="InvalidDataException"/>, which ends the connection.
/// </summary>
internal sealed class LineLengthLimitStream(Stream inner, int maxLineBytes) : Stream
{
    private long _lineBytes;

    /// <summary>True once a line went over the limit.</summary>
    public bool Exceeded { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Count(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Count(buffer.AsSpan(offset, read));
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Count(ReadOnlySpan<byte> read)
    {
        while (!read.IsEmpty)
        {
            var newline = read.IndexOf((byte)'\n');
            _lineBytes += newline < 0 ? read.Length : newline;
            if (_lineBytes > maxLineBytes)
            {
                Fail();
            }

            if (newline < 0)
            {
                return;
            }

            _lineBytes = 0;
            read = read[(newline + 1)..];
        }
    }

    private void Fail()
    {
        Exceeded = true;
        throw new InvalidDataException($"A request line is longer than {maxLineBytes} bytes.");
    }
}
