using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.DirectoryAuthority.Tests;

/// <summary>
/// A relay's link port on loopback: a real listener that answers every connection with the responder side of the
/// Noise handshake under <c>key</c>, as hpc-relay does.
/// </summary>
internal sealed class LinkResponder : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly LinkRuntime _runtime = TestLinks.Runtime(link: o => o.HandshakeTimeout = TimeSpan.FromSeconds(10));
    private readonly LinkKey _key;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Link> _links = [];
    private readonly Task _acceptLoop;
    private int _handshakes;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LinkResponder(LinkKey key)
    {
        _key = key;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Port = (ushort)((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoop();
    }

    public ushort Port { get; }

    /// <summary>Handshakes completed so far (on this side, which may finish a moment after the initiator).</summary>
    public int Handshakes => Volatile.Read(ref _handshakes);

    /// <summary>Waits, bounded, until at least <paramref name="count"/> handshakes have completed on this side.</summary>
    public async Task WaitForHandshakesAsync(int count)
    {
        using var limit = new CancellationTokenSource(TestTimeouts.Host);
        while (true)
        {
            Task changed;
            lock (_links)
            {
                if (Handshakes >= count)
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(limit.Token).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.WaitAsync(TestTimeouts.Host).ConfigureAwait(false);
        Link[] links;
        lock (_links)
        {
            links = [.. _links];
        }

        foreach (var link in links)
        {
            await link.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Host).ConfigureAwait(false);
        }

        _runtime.Dispose();
        _key.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        var handshakes = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                handshakes.Add(Answer(socket));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(handshakes).ConfigureAwait(false);
    }

    private async Task Answer(Socket socket)
    {
        LinkOpenResult open;
        try
        {
            open = await _runtime.AcceptAsync(LinkTransport.FromSocket(socket), _key, AcceptedLinkKinds.All, null, _stop.Token).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // A handshake cut short while its reply was still buffered: disposing the socket transport then fails
            // to flush (LinkTransport's disposal does not swallow that). Only that connection is lost.
            return;
        }

        if (open.Link is { } link)
        {
            TaskCompletionSource changed;
            lock (_links)
            {
                Interlocked.Increment(ref _handshakes);
                _links.Add(link);
                changed = _changed;
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }
    }
}
