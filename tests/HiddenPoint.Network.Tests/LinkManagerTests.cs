using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Links;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Network.Tests;

/// <summary>
/// Relays reached over in-memory pipes: a dial to a listening endpoint makes a pipe pair whose far end answers the
/// link handshake with that relay's link key (or never answers, for a silent listener); any other endpoint is
/// refused. Counts dials and completed handshakes.
/// </summary>
internal sealed class PipeDialer(LinkRuntime responders) : ILinkDialer, IAsyncDisposable
{
    private readonly ConcurrentDictionary<IPEndPoint, LinkKey?> _listening = new();
    private readonly ConcurrentQueue<LinkTransport> _silent = new();
    private int _dials;

    /// <summary>Dials wait for this before connecting (complete by default).</summary>
    public TaskCompletionSource Gate { get; set; } = Completed();

    /// <summary>Completes on the first dial.</summary>
    public TaskCompletionSource Dialed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Dials => Volatile.Read(ref _dials);

    /// <summary>The responders' ends of every link whose handshake completed.</summary>
    public ConcurrentQueue<Link> Accepted { get; } = new();

    /// <summary>A relay at <paramref name="endpoint"/> answering with <paramref name="key"/>; null: accepts and stays silent.</summary>
    public void Listen(IPEndPoint endpoint, LinkKey? key) => _listening[endpoint] = key;

    public async ValueTask<LinkTransport> DialAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _dials);
        Dialed.TrySetResult();
        await Gate.Task.WaitAsync(cancellationToken);
        if (!_listening.TryGetValue(endpoint, out var key))
        {
            throw new SocketException((int)SocketError.ConnectionRefused);
        }

        var (near, far, _, _) = TestLinks.PipePair();
        if (key is null)
        {
            _silent.Enqueue(far);
        }
        else
        {
            _ = AnswerAsync(far, key);
        }

        return near;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var link in Accepted)
        {
            await link.DisposeAsync();
        }

        foreach (var transport in _silent)
        {
            await transport.DisposeAsync();
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    private async Task AnswerAsync(LinkTransport far, LinkKey key)
    {
        var result = await responders.AcceptAsync(far, key, AcceptedLinkKinds.All, null);
        if (result.Link is { } link)
        {
            Accepted.Enqueue(link);
        }
    }
}

/// <summary>A relay of the tests: an identity, a link key, and an endpoint the dialer knows.</summary>
internal sealed class PipeRelay : IDisposable
{
    private static int s_nextPort = 9000;

    private readonly RelayIdentityKey _identity = RelayIdentityKey.Generate();

    public PipeRelay(PipeDialer dialer, bool silent = false)
    {
        Endpoint = new IPEndPoint(IPAddress.Parse("192.0.2.1"), Interlocked.Increment(ref s_nextPort));
        dialer.Listen(Endpoint, silent ? null : LinkKey);
    }

    public LinkKey LinkKey { get; } = LinkKey.Generate();

    public IPEndPoint Endpoint { get; }

    public RelayId Id => _identity.Id;

    public LinkTarget Target => new(Id, LinkKey.Public, [Endpoint]);

    public void Dispose()
    {
        _identity.Dispose();
        LinkKey.Dispose();
    }
}

/// <summary>Counts what a link manager's owner is asked and told.</summary>
internal sealed class CountingOwner : ILinkLaunchHandler
{
    private int _launched;

    public bool Allow { get; set; } = true;

    public int Launched => Volatile.Read(ref _launched);

    public bool MayLaunch() => Allow;

    public ILinkHandler? CreateHandler(IPEndPoint endpoint) => null;

    public void OnLaunched(Link link, IPEndPoint endpoint) => Interlocked.Increment(ref _launched);
}

[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Disposed in IAsyncLifetime.DisposeAsync, which xunit calls after each test.")]
public sealed class LinkManagerTests : IAsyncLifetime
{
    private readonly LinkRuntime _responders = TestLinks.Runtime();
    private readonly PipeDialer _dialer;

    public LinkManagerTests() => _dialer = new PipeDialer(_responders);

    // xunit v2 disposes a test class through IAsyncLifetime (it never calls IAsyncDisposable.DisposeAsync).
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _dialer.DisposeAsync();
        _responders.Dispose();
    }

    [Fact]
    public async Task Fifty_concurrent_requests_for_one_relay_launch_one_link()
    {
        using var runtime = TestLinks.Runtime();
        using var relay = new PipeRelay(_dialer);
        var owner = new CountingOwner();
        await using var manager = Manager(runtime, owner: owner);
        _dialer.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var requests = new Task<LinkLaunchResult>[50];
        for (var i = 0; i < requests.Length; i++)
        {
            requests[i] = manager.GetOrLaunchAsync(relay.Target).AsTask();
        }

        await _dialer.Dialed.Task.WaitAsync(TestTimeouts.Step);
        Assert.Equal(1, manager.LaunchesInFlight);
        _dialer.Gate.SetResult();
        var results = await Task.WhenAll(requests).WaitAsync(TestTimeouts.Step);

        var link = results[0].Link;
        Assert.NotNull(link);
        Assert.All(results, r => Assert.Same(link, r.Link));
        Assert.Equal(1, _dialer.Dials);
        await Eventually(() => !_dialer.Accepted.IsEmpty);
        Assert.Single(_dialer.Accepted);
        Assert.Equal(1, owner.Launched);
        Assert.Equal(1, manager.Count);
        Assert.Equal(0, manager.LaunchesInFlight);
        Assert.Equal(LinkKind.ClientToRelay, link.Kind);
    }

    [Fact]
    public async Task An_open_link_is_reused_and_a_closed_one_is_replaced()
    {
        using var runtime = TestLinks.Runtime();
        using var relay = new PipeRelay(_dialer);
        await using var manager = Manager(runtime);

        var first = await Within(manager.GetOrLaunchAsync(relay.Target));
        var again = await Within(manager.GetOrLaunchAsync(relay.Target));
        Assert.Same(first.Link, again.Link);
        Assert.Equal(1, _dialer.Dials);

        Assert.Equal(LinkCloseReason.LocalAbort, await AbortAsync(first.Link!));
        var replaced = await Within(manager.GetOrLaunchAsync(relay.Target));
        Assert.NotNull(replaced.Link);
        Assert.NotSame(first.Link, replaced.Link);
        Assert.Equal(LinkCloseReason.None, replaced.Link.CloseReason);
        Assert.Equal(2, _dialer.Dials);
        await Eventually(() => manager.Count == 1);
    }

    [Fact]
    public async Task A_link_proving_another_key_than_the_target_names_is_not_reused()
    {
        using var runtime = TestLinks.Runtime();
        using var relay = new PipeRelay(_dialer);
        await using var manager = Manager(runtime);
        var first = await Within(manager.GetOrLaunchAsync(relay.Target));

        // The consensus now lists another key for the same relay (it rotated): the old link does not prove it.
        using var rotated = LinkKey.Generate();
        _dialer.Listen(relay.Endpoint, rotated);
        var second = await Within(manager.GetOrLaunchAsync(new LinkTarget(relay.Id, rotated.Public, [relay.Endpoint])));
        Assert.NotNull(second.Link);
        Assert.NotSame(first.Link, second.Link);
        Assert.Equal(rotated.Public, second.Link.PeerLinkKey);
        Assert.Equal(2, manager.Count);
    }

    [Fact]
    public async Task An_idle_link_is_closed_after_the_idle_timeout_and_one_carrying_a_circuit_is_not()
    {
        var time = new FakeTimeProvider();
        using var runtime = TestLinks.Runtime(time);
        using var relay = new PipeRelay(_dialer);
        using var busyRelay = new PipeRelay(_dialer);
        await using var manager = Manager(runtime, o => o.IdleTimeout = TimeSpan.FromSeconds(30));
        var idle = (await Within(manager.GetOrLaunchAsync(relay.Target))).Link!;
        var busy = (await Within(manager.GetOrLaunchAsync(busyRelay.Target))).Link!;
        Assert.True(busy.TryBeginCircuit(out var pending));

        // Checked every 7.5 s: not before the timeout has passed, and within a quarter of it after.
        Advance(time, TimeSpan.FromSeconds(25));
        Assert.Equal(LinkCloseReason.None, idle.CloseReason);
        Advance(time, TimeSpan.FromSeconds(15));
        Assert.Equal(LinkCloseReason.LocalClose, await idle.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(LinkCloseReason.None, busy.CloseReason);
        Assert.Equal(1, manager.Count);

        // Its circuit gone, the busy link's idle time starts then.
        await busy.AbandonAsync(pending);
        Advance(time, TimeSpan.FromSeconds(25));
        Assert.Equal(LinkCloseReason.None, busy.CloseReason);
        Advance(time, TimeSpan.FromSeconds(15));
        Assert.Equal(LinkCloseReason.LocalClose, await busy.Completion.WaitAsync(TestTimeouts.Step));
        await Eventually(() => manager.Count == 0);

        // The next request launches anew.
        var fresh = await Within(manager.GetOrLaunchAsync(relay.Target));
        Assert.NotNull(fresh.Link);
        Assert.Equal(3, _dialer.Dials);
    }

    [Fact]
    public async Task A_closed_port_fails_with_ConnectFailed()
    {
        using var runtime = TestLinks.Runtime();
        using var relay = new PipeRelay(_dialer);
        await using var manager = new LinkManager(runtime, Options.Create(new LinkManagerOptions()));
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var result = await Within(manager.GetOrLaunchAsync(new LinkTarget(relay.Id, relay.LinkKey.Public, [new IPEndPoint(IPAddress.Loopback, port)])));
        Assert.Null(result.Link);
        Assert.Equal(LinkLaunchFailure.ConnectFailed, result.Failure);
        Assert.Equal(LinkCloseReason.None, result.HandshakeFailure);
        Assert.Equal(0, manager.Count);
    }

    [Fact]
    public async Task Endpoints_are_tried_in_order_until_one_connects()
    {
        using var runtime = TestLinks.Runtime();
        using var relay = new PipeRelay(_dialer);
        await using var manager = Manager(runtime);
        var nowhere = new IPEndPoint(IPAddress.Parse("192.0.2.200"), 1);

        var result = await Within(manager.GetOrLaunchAsync(new LinkTarget(relay.Id, relay.LinkKey.Public, [nowhere, relay.Endpoint])));
        Assert.NotNull(result.Link);
        Assert.Equal(2, _dialer.Dials);
    }

    [Fact]
    public async Task A_relay_holding_another_link_key_fails_the_handshake()
    {
        using var runtime = TestLinks.Runtime();
        using var relay = new PipeRelay(_dialer);
        using var impostor = LinkKey.Generate();
        await using var manager = Manager(runtime);

        var result = await Within(manager.GetOrLaunchAsync(new LinkTarget(relay.Id, impostor.Public, [relay.Endpoint])));
        Assert.Null(result.Link);
        Assert.Equal(LinkLaunchFailure.HandshakeFailed, result.Failure);
        Assert.True(result.HandshakeFailure is LinkCloseReason.HandshakeTruncated or LinkCloseReason.HandshakeAuthenticationFailed, result.HandshakeFailure.ToString());
        Assert.Equal(0, manager.Count);
        Assert.Empty(_dialer.Accepted);
    }

    [Fact]
    public async Task A_silent_listener_fails_with_Timeout_after_the_connect_timeout()
    {
        var time = new FakeTimeProvider();
        using var runtime = TestLinks.Runtime(time);
        using var relay = new PipeRelay(_dialer, silent: true);
        await using var manager = Manager(runtime, o => o.ConnectTimeout = TimeSpan.FromSeconds(5));

        var launch = manager.GetOrLaunchAsync(relay.Target).AsTask();
        await _dialer.Dialed.Task.WaitAsync(TestTimeouts.Step);
        Advance(time, TimeSpan.FromSeconds(4));
        Assert.False(launch.IsCompleted);
        Advance(time, TimeSpan.FromSeconds(1));
        var result = await launch.WaitAsync(TestTimeouts.Step);
        Assert.Equal(LinkLaunchFailure.Timeout, result.Failure);
        Assert.Equal(0, manager.LaunchesInFlight);
    }

    [Fact]
    public async Task Links_beyond_the_cap_or_refused_by_the_owner_fail_with_TooManyLinks()
    {
        using var runtime = TestLinks.Runtime();
        using var first = new PipeRelay(_dialer);
        using var second = new PipeRelay(_dialer);
        var owner = new CountingOwner();
        await using var manager = Manager(runtime, o => o.MaxLinks = 1, owner);

        Assert.NotNull((await Within(manager.GetOrLaunchAsync(first.Target))).Link);
        var refused = await Within(manager.GetOrLaunchAsync(second.Target));
        Assert.Equal(LinkLaunchFailure.TooManyLinks, refused.Failure);
        Assert.Equal(1, _dialer.Dials);

        // The held link is still handed out at the cap; once it is gone, the owner may still say no.
        Assert.NotNull((await Within(manager.GetOrLaunchAsync(first.Target))).Link);
        owner.Allow = false;
        Assert.Equal(LinkCloseReason.LocalAbort, await AbortAsync((await Within(manager.GetOrLaunchAsync(first.Target))).Link!));
        await Eventually(() => manager.Count == 0);
        Assert.Equal(LinkLaunchFailure.TooManyLinks, (await Within(manager.GetOrLaunchAsync(second.Target))).Failure);
        Assert.Equal(1, _dialer.Dials);
    }

    [Fact]
    public async Task Disposal_stops_launches_in_flight_and_closes_the_links()
    {
        using var runtime = TestLinks.Runtime();
        using var open = new PipeRelay(_dialer);
        using var silent = new PipeRelay(_dialer, silent: true);
        var manager = Manager(runtime, o => o.ConnectTimeout = TimeSpan.FromMinutes(2));
        var link = (await Within(manager.GetOrLaunchAsync(open.Target))).Link!;
        var hanging = manager.GetOrLaunchAsync(silent.Target).AsTask();
        await Eventually(() => _dialer.Dials == 2);

        await manager.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Step);

        Assert.Equal(LinkLaunchFailure.Stopped, (await hanging.WaitAsync(TestTimeouts.Step)).Failure);
        Assert.Equal(LinkCloseReason.LocalClose, await link.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(LinkLaunchFailure.Stopped, (await Within(manager.GetOrLaunchAsync(open.Target))).Failure);
        Assert.Equal(2, _dialer.Dials);
        Assert.Equal(0, manager.Count);
    }

    [Fact]
    public async Task A_relay_manager_proves_its_current_link_key_and_reuses_a_registered_link()
    {
        using var runtime = TestLinks.Runtime();
        using var relay = new PipeRelay(_dialer);
        var current = LinkKey.Generate();
        using var before = current;
        await using var manager = Manager(runtime, localKey: () => Volatile.Read(ref current));
        Assert.Equal(LinkKind.RelayToRelay, manager.Kind);

        var launched = (await Within(manager.GetOrLaunchAsync(relay.Target))).Link!;
        Assert.Equal(LinkKind.RelayToRelay, launched.Kind);
        await Eventually(() => !_dialer.Accepted.IsEmpty);
        Assert.Equal(before.Public, Assert.Single(_dialer.Accepted).PeerLinkKey);

        // The key rotates: the next launch proves the new one.
        using var after = LinkKey.Generate();
        Volatile.Write(ref current, after);
        await AbortAsync(launched);
        Assert.NotNull((await Within(manager.GetOrLaunchAsync(relay.Target))).Link);
        await Eventually(() => _dialer.Accepted.Count == 2);
        Assert.Equal(after.Public, _dialer.Accepted.Last().PeerLinkKey);

        // A link another relay opened to this one is held for reuse under that relay's id, for the key it proved.
        using var peer = RelayIdentityKey.Generate();
        using var peerKey = LinkKey.Generate();
        using var ourKey = LinkKey.Generate();
        var (a, b, _, _) = TestLinks.PipePair();
        var accept = runtime.AcceptAsync(b, ourKey, AcceptedLinkKinds.All, null);
        var connect = _responders.ConnectAsync(a, LinkKind.RelayToRelay, ourKey.Public, peerKey);
        var inbound = (await accept.WaitAsync(TestTimeouts.Step)).Link!;
        await using var peerEnd = (await connect.WaitAsync(TestTimeouts.Step)).Link!;
        Assert.True(manager.Register(peer.Id, inbound));
        Assert.False(manager.Register(peer.Id, inbound));
        var dials = _dialer.Dials;
        var reused = await Within(manager.GetOrLaunchAsync(new LinkTarget(peer.Id, peerKey.Public, [relay.Endpoint])));
        Assert.Same(inbound, reused.Link);
        Assert.Equal(dials, _dialer.Dials);
    }

    [Fact]
    public void Options_out_of_range_are_named()
    {
        var options = new LinkManagerOptions { MaxLinks = 0, ConnectTimeout = TimeSpan.FromMilliseconds(10), IdleTimeout = TimeSpan.FromDays(2) };
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains("LinkManagerOptions.MaxLinks is 0; it must be between 1 and 1000000.", error.Message, StringComparison.Ordinal);
        Assert.Contains("LinkManagerOptions.ConnectTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("LinkManagerOptions.IdleTimeout", error.Message, StringComparison.Ordinal);
        using var runtime = TestLinks.Runtime();
        Assert.Throws<OptionsValidationException>(() => new LinkManager(runtime, Options.Create(options)));
        new LinkManagerOptions().Validate();
    }

    private static async Task<LinkLaunchResult> Within(ValueTask<LinkLaunchResult> launch) => await launch.AsTask().WaitAsync(TestTimeouts.Step);

    private static async Task<LinkCloseReason> AbortAsync(Link link)
    {
        link.Abort();
        return await link.Completion.WaitAsync(TestTimeouts.Step);
    }

    /// <summary>Moves the fake clock a second at a time, so that every timer due on the way fires in order.</summary>
    private static void Advance(FakeTimeProvider time, TimeSpan by)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromSeconds(1))
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Step;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for a condition");
            await Task.Delay(5);
        }
    }

    private LinkManager Manager(
        LinkRuntime runtime, Action<LinkManagerOptions>? configure = null, ILinkLaunchHandler? owner = null, Func<LinkKey>? localKey = null)
    {
        var options = new LinkManagerOptions();
        configure?.Invoke(options);
        return new LinkManager(runtime, Options.Create(options), localKey, _dialer, owner);
    }
}
