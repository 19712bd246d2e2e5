using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace HiddenPoint.DirectoryAuthority.Hosting;

/// <summary>How a <see cref="BoundedBody.ReadAsync"/> call ended.</summary>
internal enum BodyRead
{
    /// <summary>More bytes arrived; the body goes on.</summary>
    More,

    /// <summary>The whole body has been read.</summary>
    Complete,

    /// <summary>The body is longer than the limit (by its Content-Length, or by what arrived): nothing more is read.</summary>
    TooLarge,

    /// <summary>The sender went away or broke the framing before the end of the body.</summary>
    Aborted,
}

/// <summary>
/// A request body read into one buffer, never past a limit: the buffer starts small (the first lines suffice to
/// refuse most requests) and grows only as the bytes arrive, at most to the declared length or the limit. Reading a
/// body that turns out larger than the limit stops at once, so nothing is buffered whole that should not be.
/// </summary>
internal sealed class BoundedBody
{
    private const int FirstRead = 16 * 1024;

    private readonly HttpRequest _request;
    private readonly int _limit;
    private byte[] _buffer;
    private int _length;

    private BoundedBody(HttpRequest request, int limit)
    {
        _request = request;
        _limit = limit;
        _buffer = new byte[Math.Min(limit, (int)Math.Min(request.ContentLength ?? FirstRead, FirstRead)) + 1];
    }

    /// <summary>The bytes read so far.</summary>
    public ReadOnlySpan<byte> Data => _buffer.AsSpan(0, _length);

    /// <summary>
    /// Starts reading <paramref name="request"/>'s body, of at most <paramref name="limit"/> bytes. Null when its
    /// Content-Length already says it is longer. Also lowers the server's own limit for this request to
    /// <paramref name="limit"/>.
    /// </summary>
    public static BoundedBody? Open(HttpContext context, int limit)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        return context.Request.ContentLength > limit ? null : new BoundedBody(context.Request, limit);
    }

    /// <summary>
    /// Reads the whole body: <see cref="BodyRead.Complete"/> with the bytes, or why not (longer than
    /// <paramref name="limit"/> bytes, or cut off).
    /// </summary>
    public static async Task<(BodyRead Read, byte[]? Body)> ReadAllAsync(HttpContext context, int limit)
    {
        if (Open(context, limit) is not { } body)
        {
            return (BodyRead.TooLarge, null);
        }

        BodyRead read;
        while ((read = await body.ReadAsync(context.RequestAborted).ConfigureAwait(false)) == BodyRead.More)
        {
        }

        return (read, read == BodyRead.Complete ? body.Data.ToArray() : null);
    }

    /// <summary>
    /// Reads what has arrived (at least one byte, or the end), growing the buffer when it is full. A sender that
    /// disconnects or breaks the framing gives <see cref="BodyRead.Aborted"/>, never an exception: what a peer sends
    /// must not reach the host's error log.
    /// </summary>
    public async Task<BodyRead> ReadAsync(CancellationToken cancellationToken)
    {
        if (_length == _buffer.Length)
        {
            // Full: grow to the declared length when there is one, else double; the extra byte past the limit is
            // how a body one byte too long is noticed.
            var declared = _request.ContentLength is { } length ? (int)Math.Min(length, _limit) + 1 : 0;
            var grown = Math.Min((long)_limit + 1, Math.Max(declared, (long)_buffer.Length * 2));
            Array.Resize(ref _buffer, (int)grown);
        }

        int read;
        try
        {
            read = await _request.Body.ReadAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            return e.StatusCode == StatusCodes.Status413PayloadTooLarge ? BodyRead.TooLarge : BodyRead.Aborted;
        }
        catch (IOException)
        {
            return BodyRead.Aborted;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return BodyRead.Aborted;
        }

        if (read == 0)
        {
            return BodyRead.Complete;
        }

        _length += read;
        return _length > _limit ? BodyRead.TooLarge : BodyRead.More;
    }
}
