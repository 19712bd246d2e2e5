using System.Buffers;
using System.IO.Pipelines;

namespace HiddenPoint.Testing;

/// <summary>Reading and writing whole payloads through pipes, as tests and benchmarks of streams do.</summary>
public static class StreamIo
{
    /// <summary>Writes <paramref name="payload"/> in pieces of <paramref name="piece"/> bytes, flushing each.</summary>
    public static async Task WriteAllAsync(PipeWriter writer, ReadOnlyMemory<byte> payload, int piece = 16_384, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        for (var offset = 0; offset < payload.Length; offset += piece)
        {
            var result = await writer.WriteAsync(payload.Slice(offset, Math.Min(piece, payload.Length - offset)), cancellationToken).ConfigureAwait(false);
            if (result.IsCompleted)
            {
                throw new IOException("The reader stopped reading.");
            }
        }
    }

    /// <summary>Reads exactly <paramref name="destination"/>'s length; throws when the pipe ends first.</summary>
    public static async Task ReadExactlyAsync(PipeReader reader, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var filled = 0;
        while (filled < destination.Length)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var take = (int)Math.Min(result.Buffer.Length, destination.Length - filled);
            result.Buffer.Slice(0, take).CopyTo(destination.Span[filled..]);
            filled += take;
            reader.AdvanceTo(result.Buffer.GetPosition(take));
            if (result.IsCompleted && filled < destination.Length)
            {
                throw new EndOfStreamException($"The stream ended after {filled} of {destination.Length} bytes.");
            }
        }
    }

    /// <summary>Reads exactly <paramref name="length"/> bytes into a new array.</summary>
    public static async Task<byte[]> ReadExactlyAsync(PipeReader reader, int length, CancellationToken cancellationToken = default)
    {
        var received = new byte[length];
        await ReadExactlyAsync(reader, received, cancellationToken).ConfigureAwait(false);
        return received;
    }

    /// <summary>Reads until the pipe ends.</summary>
    public static async Task<byte[]> ReadToEndAsync(PipeReader reader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var received = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            foreach (var segment in result.Buffer)
            {
                received.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return received.WrittenSpan.ToArray();
            }
        }
    }
}
