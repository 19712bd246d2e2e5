using System.Buffers;
using System.Text;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Network.Directory;

/// <summary>The result of one consensus download from an authority: the bytes (not yet verified), or why there are none.</summary>
/// <param name="Document">The body, at most <see cref="NetworkStatus.MaxSize"/> bytes; null when the download failed.</param>
/// <param name="Failure">Why there is no document: the HTTP status with the authority's reason, the transport's error,
/// or the size limit; printable ASCII, at most 200 characters. Empty on success.</param>
/// <param name="NoneYet">True when the authority answered 404: it has not published a consensus yet (normal while a
/// network starts).</param>
public readonly record struct ConsensusDownload(byte[]? Document, string Failure, bool NoneYet = false);

/// <summary>
/// <c>GET /hpc/consensus</c> from a directory authority, as relays and clients both do it (docs/directory.md). Each
/// request is bounded by the timeout given at construction. Nothing is buffered beyond what is kept: an error answer is
/// streamed and its first <see cref="MaxAnswerLength"/> bytes read as text, cut short and stripped of control
/// characters; a consensus is read into one buffer of exactly its declared length, refused before any of it is read
/// when that passes <see cref="NetworkStatus.MaxSize"/>, or (without a declared length) gathered in pooled chunks up to
/// that size. The document is not checked here: offer it to a <see cref="ConsensusHolder"/>.
/// </summary>
public sealed class AuthorityConsensusDownloader
{
    /// <summary>The most bytes of an answer read for its text: a reason is at most 200 characters once cleaned.</summary>
    public const int MaxAnswerLength = 1024;

    /// <summary>The path the authorities serve their latest consensus at.</summary>
    public const string ConsensusPath = "/hpc/consensus";

    private const int MaxReasonLength = 200;
    private const int ChunkLength = 64 * 1024;
    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;

    /// <summary>Downloads over <paramref name="http"/> (owned by the caller; see <see cref="CreateHttpClient"/>).</summary>
    /// <param name="http">The client every request goes through.</param>
    /// <param name="timeout">The longest one download may take, connection included; more than zero.</param>
    public AuthorityConsensusDownloader(HttpClient http, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _http = http;
        _timeout = timeout;
    }

    /// <summary>The longest one download may take.</summary>
    public TimeSpan Timeout => _timeout;

    /// <summary>
    /// An <see cref="HttpClient"/> fit for talking to authorities: no proxy, no cookies, no redirects, the connection
    /// bounded by <paramref name="connectTimeout"/>, and a response buffer limit of <see cref="MaxAnswerLength"/> (every
    /// answer is read as a stream, so the client's own buffer is never used; the low limit means a call that did
    /// buffer could not hold much).
    /// </summary>
    public static HttpClient CreateHttpClient(TimeSpan connectTimeout, string userAgent)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userAgent);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
        };
        var http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = MaxAnswerLength };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return http;
    }

    /// <summary>The URL of <paramref name="path"/> at the authority serving HTTP on <paramref name="authority"/>.</summary>
    public static Uri Url(RelayAddress authority, string path) => new("http://" + authority + path);

    /// <summary>Downloads the consensus <paramref name="authority"/> serves. Never throws on the network's behaviour.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<ConsensusDownload> GetAsync(RelayAddress authority, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await _http.GetAsync(Url(authority, ConsensusPath), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var text = await ReadTextAsync(response, timeout.Token).ConfigureAwait(false);
                return new ConsensusDownload(
                    null,
                    "HTTP " + (int)response.StatusCode + (text.Length > 0 ? ": " + text : ""),
                    NoneYet: response.StatusCode == System.Net.HttpStatusCode.NotFound);
            }

            var declared = response.Content.Headers.ContentLength;
            if (declared > NetworkStatus.MaxSize)
            {
                return new ConsensusDownload(null, $"the consensus is larger than {NetworkStatus.MaxSize} bytes");
            }

            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var body = await ReadBodyAsync(stream, declared, NetworkStatus.MaxSize, timeout.Token).ConfigureAwait(false);
                return body is null
                    ? new ConsensusDownload(null, $"the consensus is larger than {NetworkStatus.MaxSize} bytes")
                    : new ConsensusDownload(body, "");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ConsensusDownload(null, $"no answer within {_timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return new ConsensusDownload(null, Clean(e.Message));
        }
        catch (IOException e)
        {
            return new ConsensusDownload(null, Clean(e.Message));
        }
    }

    /// <summary>
    /// Reads a whole body of at most <paramref name="limit"/> bytes: into one array of exactly
    /// <paramref name="declaredLength"/> bytes when the length is declared (refused, before anything is read, when it
    /// passes the limit), otherwise in pooled chunks copied once into an array of the received length. Null when the
    /// body is larger than <paramref name="limit"/>.
    /// </summary>
    /// <exception cref="IOException">The body ended before its declared length.</exception>
    public static async Task<byte[]?> ReadBodyAsync(Stream stream, long? declaredLength, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
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
    public static async Task<byte[]> ReadPrefixAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var prefix = new byte[limit];
        var filled = 0;
        int read;
        while (filled < prefix.Length && (read = await stream.ReadAsync(prefix.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
        {
            filled += read;
        }

        return filled == prefix.Length ? prefix : prefix[..filled];
    }

    /// <summary>
    /// An answer that is only text to log: its first <see cref="MaxAnswerLength"/> bytes, whatever its length, cleaned
    /// (<see cref="Clean"/>). Disposing the response afterwards drops the rest with the connection.
    /// </summary>
    public static async Task<string> ReadTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
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

    /// <summary>Text from the network about to go into a log line: printable ASCII only, one line, at most 200 characters.</summary>
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
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
}
