using HiddenPoint.Network.Directory;
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

/// <summary>
/// The authorities' HTTP API as the relay uses it: <c>POST /hpc/descriptor</c>, and <c>GET /hpc/consensus</c> through
/// the <see cref="AuthorityConsensusDownloader"/> that clients use too. Each request is bounded by
/// <see cref="RelayOptions.AuthorityRequestTimeout"/>. An upload's answer is only text to log: it is streamed and its
/// first <see cref="AuthorityConsensusDownloader.MaxAnswerLength"/> bytes read, then cut short and stripped of control
/// characters.
/// </summary>
internal sealed class AuthorityClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly AuthorityConsensusDownloader _consensus;
    private readonly TimeSpan _timeout;

    public AuthorityClient(IOptions<RelayOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeout = options.Value.AuthorityRequestTimeout;
        _http = AuthorityConsensusDownloader.CreateHttpClient(_timeout, "hpc-relay");
        _consensus = new AuthorityConsensusDownloader(_http, _timeout);
    }

    public static Uri Url(RelayAuthorityOptions authority, string path)
    {
        // Validated at start: an address that does not parse never gets here.
        return RelayAddress.TryParse(authority.Address, out var address)
            ? AuthorityConsensusDownloader.Url(address, path)
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
            var text = await AuthorityConsensusDownloader.ReadTextAsync(response, timeout.Token).ConfigureAwait(false);
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
            return new UploadResult(UploadOutcome.Failed, AuthorityConsensusDownloader.Clean(e.Message));
        }
    }

    public Task<ConsensusDownload> GetConsensusAsync(RelayAuthorityOptions authority, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authority);

        // Validated at start: an address that does not parse never gets here.
        return RelayAddress.TryParse(authority.Address, out var address)
            ? _consensus.GetAsync(address, cancellationToken)
            : throw new ArgumentException($"'{authority.Address}' is not an authority address.", nameof(authority));
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The first word of an authority's refusal, e.g. <c>PublishedInFuture</c>.</summary>
    internal static string ReasonCode(string reason)
    {
        var end = reason.AsSpan().IndexOfAny(": ");
        return end < 0 ? reason : reason[..end];
    }
}
