using System.Collections.Concurrent;
using System.Net;
using System.Text;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Relay.Tests.Hosting;

/// <summary>
/// A directory authority's HTTP API on loopback, small but real about what it checks: an uploaded descriptor is parsed
/// and its signature, key certificates and validity time verified with the protocol's own parser, as an authority
/// does, and the answer is the authority's (<c>accepted</c>, or the typed reason with a 400). It serves a consensus
/// given to it.
/// </summary>
internal sealed class LocalAuthority : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly TimeProvider _clock;

    public LocalAuthority(TimeProvider clock)
    {
        _clock = clock;
        for (var attempt = 0; ; attempt++)
        {
            Port = LoopbackPorts.Unused();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Descriptors that verified, in arrival order.</summary>
    public ConcurrentQueue<RelayDescriptor> Accepted { get; } = new();

    /// <summary>Set to refuse uploads with this typed reason.</summary>
    public string? RefuseWith { get; set; }

    /// <summary>Set to answer uploads with this status and no body (a failing authority).</summary>
    public int? FailWith { get; set; }

    /// <summary>What <c>GET /hpc/consensus</c> returns; 404 while null.</summary>
    public byte[]? Consensus { get; set; }

    public int ConsensusRequests;

    public int Uploads;

    public event Action? Uploaded;

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop.WaitAsync(TestTimeouts.Host);
        }
        catch (HttpListenerException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                Handle(context);
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        if (context.Request.HttpMethod == "POST" && path == "/hpc/descriptor")
        {
            using var body = new MemoryStream();
            context.Request.InputStream.CopyTo(body);
            var (status, text) = Verify(body.ToArray());
            Interlocked.Increment(ref Uploads);
            Reply(context, status, text);
            Uploaded?.Invoke();
        }
        else if (context.Request.HttpMethod == "GET" && path == "/hpc/consensus")
        {
            Interlocked.Increment(ref ConsensusRequests);
            if (Consensus is { } document)
            {
                context.Response.StatusCode = 200;
                context.Response.OutputStream.Write(document);
            }
            else
            {
                Reply(context, 404, "no consensus yet\n");
            }
        }
        else
        {
            Reply(context, 404, "not found\n");
        }
    }

    private (int Status, string Text) Verify(byte[] document)
    {
        if (FailWith is { } failure)
        {
            return (failure, "");
        }

        if (RefuseWith is { } reason)
        {
            // As hpc-directory answers: 429 for "not now", 400 for a descriptor it will not take.
            return (reason is "RateLimited" or "Busy" ? 429 : 400, reason + "\n");
        }

        if (!RelayDescriptorParser.TryParse(document, out var unverified, out var error))
        {
            return (400, "Malformed: " + error + "\n");
        }

        var signed = unverified.VerifySignature();
        if (!signed.IsValid)
        {
            return (400, (signed.Error == SignatureError.BadCertificate ? "BadCertificate" : "BadSignature") + "\n");
        }

        var timely = signed.Value.CheckValidAt(_clock.GetUtcNow());
        if (!timely.IsUsable)
        {
            return (400, (timely.Status == Timeliness.NotYetValid ? "PublishedInFuture" : "KeysExpired") + "\n");
        }

        Accepted.Enqueue(timely.Value);
        return (200, "accepted\n");
    }

    private static void Reply(HttpListenerContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        context.Response.OutputStream.Write(Encoding.ASCII.GetBytes(text));
    }
}
