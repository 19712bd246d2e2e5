using System.Net;
using HiddenPoint.Network.Directory;

namespace HiddenPoint.Testing;

/// <summary>
/// A directory authority's consensus download on 127.0.0.1: <c>GET /hpc/consensus</c>
/// (<see cref="AuthorityConsensusDownloader.ConsensusPath"/>) answers <see cref="Document"/>, or 404 while it is null.
/// For clients in another process, which fetch the consensus over HTTP as from an authority.
/// </summary>
public sealed class ConsensusHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _requests;

    /// <summary>Starts listening on a free loopback port.</summary>
    public ConsensusHttpServer(byte[]? document = null)
    {
        Document = document;
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
                // Another process took the port between the probe and the bind: try another.
            }
        }

        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The port.</summary>
    public int Port { get; private set; }

    /// <summary>The address as configuration takes it, <c>127.0.0.1:port</c>.</summary>
    public string Address => "127.0.0.1:" + Port;

    /// <summary>The signed consensus served; null: 404.</summary>
    public byte[]? Document { get; set; }

    /// <summary>How many consensus requests arrived.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.WaitAsync(TestTimeouts.Step).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                var document = Document;
                if (context.Request.HttpMethod == "GET" && context.Request.Url!.AbsolutePath == AuthorityConsensusDownloader.ConsensusPath && document is not null)
                {
                    Interlocked.Increment(ref _requests);
                    context.Response.StatusCode = 200;
                    context.Response.ContentLength64 = document.Length;
                    await context.Response.OutputStream.WriteAsync(document).ConfigureAwait(false);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }
            }
            catch (Exception e) when (e is HttpListenerException or IOException)
            {
                // The client went away mid-answer: its problem, and the next request is served.
            }
            finally
            {
                context.Response.Close();
            }
        }
    }
}
