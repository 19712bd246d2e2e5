using System.Net;
using System.Net.Sockets;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>
/// A TCP proxy in front of one relay: it listens where the relay's descriptor says the relay is (the relay itself
/// listens on another port of its address, docs/relay.md <c>AdvertisedPort</c>), and for each connection made to it
/// opens one to the relay and forwards both directions through <see cref="DelayedDirection"/>. Every peer of the relay
/// (clients, other relays, the authorities' reachability tests) goes through it, so each link of a circuit gets the
/// impairment once in each direction, as netem on every link would give it. When the relay is down, a connection is
/// accepted and closed at once.
/// </summary>
internal sealed class DelayingProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _relay;
    private LinkImpairment _impairment;
    private readonly Random _random;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<Task> _links = [];
    private readonly Lock _linksLock = new();

    private DelayingProxy(Socket listener, IPEndPoint relay, LinkImpairment impairment, int seed, TimeProvider clock)
    {
        _listener = listener;
        _relay = relay;
        _impairment = impairment;
        _random = new Random(seed);
        _clock = clock;
        _accepting = AcceptAsync();
    }

    /// <summary>What the proxy does to the bytes it forwards; a change applies to the next chunk of every open link.</summary>
    public LinkImpairment Impairment
    {
        get => Volatile.Read(ref _impairment);
        set => Volatile.Write(ref _impairment, value);
    }

    /// <summary>Links accepted since the start.</summary>
    public int LinksAccepted { get; private set; }

    /// <summary>Starts a proxy listening on <paramref name="listen"/> that forwards to <paramref name="relay"/>.</summary>
    public static DelayingProxy Start(IPEndPoint listen, IPEndPoint relay, LinkImpairment impairment, int seed, TimeProvider clock)
    {
        var listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(listen);
            listener.Listen(512);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new TestnetException($"the delaying proxy could not listen on {listen}: {e.Message}", e);
        }

        return new DelayingProxy(listener, relay, impairment, seed, clock);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] links;
        lock (_linksLock)
        {
            links = [.. _links];
        }

        await Task.WhenAll(links).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket peer;
            try
            {
                peer = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            LinksAccepted++;

            // Each direction draws its losses from its own generator, seeded from the proxy's, so that a run's seed
            // decides them and no two pumps share a Random (which is not thread-safe).
            var seeds = (_random.Next(), _random.Next());
            var link = ForwardAsync(peer, seeds);
            lock (_linksLock)
            {
                _links.RemoveAll(t => t.IsCompleted);
                _links.Add(link);
            }
        }
    }

    private async Task ForwardAsync(Socket peer, (int Up, int Down) seeds)
    {
        using (peer)
        {
            using var relay = new Socket(_relay.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            peer.NoDelay = true;
            try
            {
                await relay.ConnectAsync(_relay, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // The relay is down (killed by a scenario): the peer sees its connection close, as with a refusal.
                return;
            }

            using var linkEnded = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = DelayedDirection.PumpAsync(peer, relay, () => Impairment, new Random(seeds.Up), _clock, linkEnded.Token);
            var down = DelayedDirection.PumpAsync(relay, peer, () => Impairment, new Random(seeds.Down), _clock, linkEnded.Token);

            // One direction ended (a close or a reset): the other gets a bounded while to deliver what it holds, then
            // both sockets close, so a half-open link never outlives its relay.
            await Task.WhenAny(up, down).ConfigureAwait(false);
            var rest = Task.WhenAll(up, down);
            if (await Task.WhenAny(rest, Task.Delay(TimeSpan.FromSeconds(10), _clock)).ConfigureAwait(false) != rest)
            {
                await linkEnded.CancelAsync().ConfigureAwait(false);
                await rest.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
