using System.Buffers;
using System.Net;
using System.Text;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Hosting;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Authorities;

/// <summary>How an upload to one authority ended.</summary>
internal enum UploadOutcome
{
    /// <summary>The authority took the descriptor.</summary>
    Accepted,

    /// <summary>The authority refused it with a reason (<see cref="UploadResult.Reason"/>).</summary>
    Refused,

    /// <summary>No answer: connection refused, timeout, a server error.</summary>
    Failed,
}

/// <summary>The result of one upload.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Reason">The authority's typed reason (e.g. <c>PublishedInFuture</c>) or the transport's error.</param>
internal readonly record struct UploadResult(UploadOutcome Outcome, string Reason);

/// <summary>The result of one consensus download: the bytes, or why there are none.</summary>
internal readonly record struct FetchResult(byte[]? Document, string Failure, bool NoneYet = false);

/// <summary>
/// The authorities' HTTP API as the relay uses it: <c>POST /hpc/descriptor</c> and <c>GET /hpc/consensus</c>. Each
/// request is bounded by <see cref="RelayOptions.AuthorityRequestTimeout"/>. Nothing is buffered beyond what is kept:
/// an answer that is only text to log (an upload's result, an error) is streamed and its first
/// <see cref="MaxAnswerLength"/> bytes read, then cut short and stripped of control characters; a consensus is read
/// into one buffer of exactly its declared length, refused before any of it is read when that passes
/// <see cref="NetworkStatus.MaxSize"/>, or (without a declared length) gathered in pooled chunks up to that size.
/// </summary>
internal sealed class AuthorityClient : IDisposable
{
    /// <summary>The most bytes of an answer read for its text: a reason is at most 200 characters once cleaned.</summary>
    internal const int MaxAnswerLength = 1024;

    private const int MaxReasonLength = 200;
    private const int ChunkLength = 64 * 1024;
    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;

    public AuthorityClient(IOptions<RelayOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeout = options.Value.AuthorityRequestTimeout;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
        };
        // Every response is read as a stream (ResponseHeadersRead), so the client's own buffer is never used; its limit
        // is set low so that a call that did buffer could not hold much.
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = MaxAnswerLength };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("hpc-relay");
    }

    public static Uri Url(RelayAuthorityOptions authority, string path)
    {
        // Validated at start: an address that does not parse never gets here.
        return RelayAddress.TryParse(authority.Address, out var address)
            ? new Uri("http://" + address + path)
            : throw new ArgumentException($"'{authority.Address}' is not an authority address.", nameof(authority));
    }

    public async Task<UploadResult> PostDescriptorAsync(RelayAuthorityOptions authority, byte[] descriptor, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var content = new ByteArrayContent(descriptor);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
            using var request = new HttpRequestMessage(HttpMethod.Post, Url(authority, "/hpc/descriptor")) { Content = content };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var text = await ReadTextAsync(response, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return new UploadResult(UploadOutcome.Accepted, text);
            }

            // 400, 409, 413 and 429 carry the authority's reason; anything else is the authority failing.
            return (int)response.StatusCode is >= 400 and < 500
                ? new UploadResult(UploadOutcome.Refused, text.Length > 0 ? text : "HTTP " + (int)response.StatusCode)
                : new UploadResult(UploadOutcome.Failed, "HTTP " + (int)response.StatusCode + (text.Length > 0 ? ": " + text : ""));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new UploadResult(UploadOutcome.Failed, $"no answer within {_timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return new UploadResult(UploadOutcome.Failed, Clean(e.Message));
        }
    }

    public async Task<FetchResult> GetConsensusAsync(RelayAuthorityOptions authority, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await _http.GetAsync(Url(authority, "/hpc/consensus"), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var text = await ReadTextAsync(response, timeout.Token).ConfigureAwait(false);

                // 404 is an authority that has not published a consensus yet: normal while a network starts.
                return new FetchResult(
                    null,
                    "HTTP " + (int)response.StatusCode + (text.Length > 0 ? ": " + text : ""),
                    NoneYet: response.StatusCode == System.Net.HttpStatusCode.NotFound);
            }

            var declared = response.Content.Headers.ContentLength;
            if (declared > NetworkStatus.MaxSize)
            {
                return new FetchResult(null, $"the consensus is larger than {NetworkStatus.MaxSize} bytes");
            }

            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var body = await ReadBodyAsync(stream, declared, NetworkStatus.MaxSize, timeout.Token).ConfigureAwait(false);
                return body is null
                    ? new FetchResult(null, $"the consensus is larger than {NetworkStatus.MaxSize} bytes")
                    : new FetchResult(body, "");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FetchResult(null, $"no answer within {_timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return new FetchResult(null, Clean(e.Message));
        }
        catch (IOException e)
        {
            return new FetchResult(null, Clean(e.Message));
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Reads a whole body of at most <paramref name="limit"/> bytes: into one array of exactly
    /// <paramref name="declaredLength"/> bytes when the length is declared (refused, before anything is read, when it
    /// passes the limit), otherwise in pooled chunks copied once into an array of the received length. Null when the
    /// body is larger than <paramref name="limit"/>.
    /// </summary>
    /// <exception cref="IOException">The body ended before its declared length.</exception>
    internal static async Task<byte[]?> ReadBodyAsync(Stream stream, long? declaredLength, int limit, CancellationToken cancellationToken)
    {
        if (declaredLength is { } length)
        {
            if (length > limit)
            {
                return null;
            }

            var body = new byte[length];
            var filled = 0;
            while (filled < body.Length)
            {
                var read = await stream.ReadAsync(body.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"the body ended after {filled} of its {length} bytes");
                }

                filled += read;
            }

            return body;
        }

        var chunks = new List<byte[]>();
        var total = 0;
        try
        {
            while (true)
            {
                var chunk = ArrayPool<byte>.Shared.Rent(ChunkLength);
                chunks.Add(chunk);
                var used = 0;
                while (used < chunk.Length)
                {
                    var read = await stream.ReadAsync(chunk.AsMemory(used), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return Join(chunks, total + used);
                    }

                    used += read;
                    if (total + used > limit)
                    {
                        return null;
                    }
                }

                total += used;
            }
        }
        finally
        {
            foreach (var chunk in chunks)
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }

    /// <summary>Reads the first <paramref name="limit"/> bytes of a body (fewer when it is shorter) and no more.</summary>
    internal static async Task<byte[]> ReadPrefixAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        var prefix = new byte[limit];
        var filled = 0;
        int read;
        while (filled < prefix.Length && (read = await stream.ReadAsync(prefix.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
        {
            filled += read;
        }

        return filled == prefix.Length ? prefix : prefix[..filled];
    }

    private static byte[] Join(List<byte[]> chunks, int total)
    {
        var body = new byte[total];
        var copied = 0;
        foreach (var chunk in chunks)
        {
            var take = Math.Min(chunk.Length, total - copied);
            chunk.AsSpan(0, take).CopyTo(body.AsSpan(copied));
            copied += take;
        }

        return body;
    }

    // An answer that is only text to log: its first MaxAnswerLength bytes, whatever its length. Disposing the
    // response afterwards drops the rest with the connection.
    private static async Task<string> ReadTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var bytes = await ReadPrefixAsync(stream, MaxAnswerLength, cancellationToken).ConfigureAwait(false);
                return Clean(Encoding.UTF8.GetString(bytes));
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return "";
        }
    }

    // Text from the network goes into log lines: printable ASCII only, one line, bounded.
    internal static string Clean(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxReasonLength));
        foreach (var c in text)
        {
            if (builder.Length >= MaxReasonLength)
            {
                break;
            }

            builder.Append(c is >= ' ' and <= '~' ? c : (c is '\n' or '\r' or '\t' ? ' ' : '?'));
        }

        return builder.ToString().Trim();
    }

    /// <summary>The first word of an authority's refusal, e.g. <c>PublishedInFuture</c>.</summary>
    internal static string ReasonCode(string reason)
    {
        var end = reason.AsSpan().IndexOfAny(": ");
        return end < 0 ? reason : reason[..end];
    }
}
