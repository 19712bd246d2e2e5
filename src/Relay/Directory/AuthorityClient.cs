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
/// request is bounded by <see cref="RelayOptions.AuthorityRequestTimeout"/>; a consensus larger than
/// <see cref="NetworkStatus.MaxSize"/> is refused before it is read whole. What an authority answers is only text to
/// log: it is cut short and stripped of control characters first.
/// </summary>
internal sealed class AuthorityClient : IDisposable
{
    private const int MaxReasonLength = 200;
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
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = NetworkStatus.MaxSize };
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
            using var response = await _http.PostAsync(Url(authority, "/hpc/descriptor"), content, timeout.Token).ConfigureAwait(false);
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

            if (response.Content.Headers.ContentLength > NetworkStatus.MaxSize)
            {
                return new FetchResult(null, $"the consensus is larger than {NetworkStatus.MaxSize} bytes");
            }

            var body = await ReadLimitedAsync(response, NetworkStatus.MaxSize, timeout.Token).ConfigureAwait(false);
            return body is null
                ? new FetchResult(null, $"the consensus is larger than {NetworkStatus.MaxSize} bytes")
                : new FetchResult(body, "");
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

    private static async Task<byte[]?> ReadLimitedAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static async Task<string> ReadTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await ReadLimitedAsync(response, 4096, cancellationToken).ConfigureAwait(false);
            return bytes is null ? "" : Clean(Encoding.UTF8.GetString(bytes));
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
