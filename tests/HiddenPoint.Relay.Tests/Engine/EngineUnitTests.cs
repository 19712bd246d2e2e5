using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.Keys;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Relay.Tests.Engine;

public sealed class HandshakeQueueTests
{
    [Fact]
    public async Task A_full_queue_refuses_at_once_and_items_that_waited_too_long_are_dropped()
    {
        var clock = new FakeTimeProvider();
        var gate = new TaskCompletionSource();
        var firstStarted = new TaskCompletionSource();
        var processed = new ConcurrentQueue<int>();
        var dropped = new ConcurrentQueue<(int, HandshakeDrop)>();
        var allDone = new CountdownEvent(4);
        await using var queue = new HandshakeQueue<int>(
            capacity: 2,
            maxWait: TimeSpan.FromMilliseconds(1750),
            workers: 1,
            clock,
            item =>
            {
                if (item == 1)
                {
                    firstStarted.SetResult();
                    gate.Task.Wait(TestTimeouts.Step);
                }

                processed.Enqueue(item);
                allDone.Signal();
            },
            (item, why) =>
            {
                dropped.Enqueue((item, why));
                allDone.Signal();
            });

        Assert.True(queue.TryEnqueue(1));
        await firstStarted.Task.WaitAsync(TestTimeouts.Step);
        Assert.True(queue.TryEnqueue(2));
        Assert.True(queue.TryEnqueue(3));
        Assert.False(queue.TryEnqueue(4)); // the bound: two waiting, the worker busy
        Assert.Equal(2, queue.Count);

        clock.Advance(TimeSpan.FromMilliseconds(1751));
        gate.SetResult();
        await Task.Run(() => SpinWait.SpinUntil(() => allDone.CurrentCount == 1, TestTimeouts.Step)).WaitAsync(TestTimeouts.Step);
        Assert.True(queue.TryEnqueue(5)); // queued after the clock moved: fresh, so it runs
        Assert.True(allDone.Wait(TestTimeouts.Step));

        Assert.Equal([1, 5], processed.ToArray());
        Assert.Equal([(2, HandshakeDrop.Expired), (3, HandshakeDrop.Expired)], dropped.ToArray());
    }

    [Fact]
    public async Task A_fault_drops_that_item_and_the_worker_goes_on()
    {
        var done = new CountdownEvent(3);
        var dropped = new ConcurrentQueue<(int, HandshakeDrop)>();
        var processed = new ConcurrentQueue<int>();
        await using var queue = new HandshakeQueue<int>(8, TimeSpan.FromSeconds(1), 1, TimeProvider.System,
            item =>
            {
                if (item == 2)
                {
                    throw new InvalidOperationException("fault");
                }

                processed.Enqueue(item);
                done.Signal();
            },
            (item, why) =>
            {
                dropped.Enqueue((item, why));
                done.Signal();
            });
        Assert.True(queue.TryEnqueue(1));
        Assert.True(queue.TryEnqueue(2));
        Assert.True(queue.TryEnqueue(3));
        Assert.True(done.Wait(TestTimeouts.Step));
        Assert.Equal([1, 3], processed.ToArray());
        Assert.Equal([(2, HandshakeDrop.Fault)], dropped.ToArray());
    }

    [Fact]
    public async Task Stopping_drops_what_waits_and_refuses_more()
    {
        var gate = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        var dropped = new ConcurrentQueue<(int, HandshakeDrop)>();
        var queue = new HandshakeQueue<int>(8, TimeSpan.FromSeconds(1), 1, TimeProvider.System,
            item =>
            {
                started.TrySetResult();
                gate.Task.Wait(TestTimeouts.Step);
            },
            (item, why) => dropped.Enqueue((item, why)));
        Assert.True(queue.TryEnqueue(1));
        await started.Task.WaitAsync(TestTimeouts.Step);
        Assert.True(queue.TryEnqueue(2));
        queue.Stop();
        Assert.False(queue.TryEnqueue(3));
        gate.SetResult();
        await queue.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Step);
        Assert.Equal([(2, HandshakeDrop.Stopped)], dropped.ToArray());
    }
}

internal sealed class FixedKeys : IRelayKeys, IDisposable
{
    private readonly RelayIdentityKey _identity = RelayIdentityKey.Generate();

    public FixedKeys(bool withPrevious = false)
    {
        Id = _identity.Id;
        Current = new RelayKeySet(LinkKey.Generate(), null, CircuitHandshakeKey.Generate(), withPrevious ? CircuitHandshakeKey.Generate() : null);
    }

    public RelayId Id { get; }

    public RelayKeySet Current { get; set; }

    public void Dispose() => _identity.Dispose();
}

public sealed class CircuitHandshakeResponderTests
{
    [Fact]
    public void A_CGO_handshake_with_the_current_or_previous_key_gives_both_sides_the_same_keys()
    {
        using var keys = new FixedKeys(withPrevious: true);
        var responder = new CircuitHandshakeResponder(keys);
        foreach (var onion in new[] { keys.Current.CircuitHandshakeKey.Public, keys.Current.PreviousCircuitHandshakeKey!.Public })
        {
            var create = Create2(keys.Id, onion, CgoExtension.Request, out var client);
            var created = new byte[Cell.BodyLength];
            var kh = new byte[32];
            Assert.Equal(HandshakeFailure.None, responder.TryRespond(create, created, kh, out var hop));
            using (hop)
            {
                Assert.True(Created2Body.TryDecode(created, out var reply, out _));
                Assert.True(client.TryFinish(reply.HandshakeData, out var stream, out var serverMessage, out _));
                Assert.Equal(CgoExtensionError.None, CgoExtension.TryRead(serverMessage, out _));
                var skip = new byte[CircuitKeySchedule.CgoKeyMaterialLength];
                var clientKh = new byte[32];
                stream.Read(skip);
                stream.Read(clientKh);
                stream.Dispose();
                Assert.Equal(clientKh, kh);
                Assert.NotEqual(new byte[32], kh);
            }
        }
    }

    [Fact]
    public void Bad_CREATE2_bodies_are_refused_with_a_reason()
    {
        using var keys = new FixedKeys();
        using var other = new FixedKeys();
        var responder = new CircuitHandshakeResponder(keys);
        var created = new byte[Cell.BodyLength];
        var kh = new byte[32];

        var garbage = new byte[Cell.BodyLength];
        BinaryPrimitives.WriteUInt16BigEndian(garbage.AsSpan(2), 600);
        Assert.Equal(HandshakeFailure.MalformedCell, responder.TryRespond(garbage, created, kh, out _));

        var ntor1 = new byte[Cell.BodyLength];
        new Create2Body(HandshakeType.Ntor, new byte[84]).Encode(ntor1);
        Assert.Equal(HandshakeFailure.UnsupportedType, responder.TryRespond(ntor1, created, kh, out _));

        var elsewhere = Create2(other.Id, other.Current.CircuitHandshakeKey.Public, CgoExtension.Request, out var c1);
        c1.Dispose();
        Assert.Equal(HandshakeFailure.WrongKey, responder.TryRespond(elsewhere, created, kh, out _));

        var noCgo = Create2(keys.Id, keys.Current.CircuitHandshakeKey.Public, NtorV3ExtensionList.Empty, out var c2);
        c2.Dispose();
        Assert.Equal(HandshakeFailure.NoCgo, responder.TryRespond(noCgo, created, kh, out _));

        var tampered = Create2(keys.Id, keys.Current.CircuitHandshakeKey.Public, CgoExtension.Request, out var c3);
        c3.Dispose();
        tampered[4 + 100] ^= 1;
        Assert.Equal(HandshakeFailure.BadHandshake, responder.TryRespond(tampered, created, kh, out var none));
        Assert.Null(none);
        Assert.Equal(new byte[32], kh);
    }

    [Fact]
    public void A_rotated_key_set_is_picked_up()
    {
        using var keys = new FixedKeys();
        var responder = new CircuitHandshakeResponder(keys);
        var old = keys.Current;
        keys.Current = new RelayKeySet(old.LinkKey, null, CircuitHandshakeKey.Generate(), old.CircuitHandshakeKey);
        var created = new byte[Cell.BodyLength];
        var kh = new byte[32];
        var create = Create2(keys.Id, keys.Current.CircuitHandshakeKey.Public, CgoExtension.Request, out var client);
        client.Dispose();
        Assert.Equal(HandshakeFailure.None, responder.TryRespond(create, created, kh, out var hop));
        hop!.Dispose();
    }

    private static byte[] Create2(RelayId id, CircuitHandshakePublicKey onion, NtorV3ExtensionList extensions, out NtorV3Client client)
    {
        var handshake = new byte[NtorV3Client.GetClientHandshakeLength(extensions.EncodedLength)];
        Assert.True(NtorV3Client.TryStartWithExtensions(NtorV3Labels.Hpc, id, onion, extensions, handshake, out var started, out _));
        client = started;
        var body = new byte[Cell.BodyLength];
        new Create2Body(HandshakeType.NtorV3, handshake).Encode(body);
        return body;
    }
}

public sealed class RelayEngineOptionsTests
{
    [Fact]
    public void Defaults_are_valid() => new RelayEngineOptions().Validate();

    [Fact]
    public void A_bad_value_names_its_option()
    {
        var options = new RelayEngineOptions { HandshakeQueueCapacity = 0, HandshakeMaxWait = TimeSpan.Zero };
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains("RelayEngineOptions.HandshakeQueueCapacity is 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("RelayEngineOptions.HandshakeMaxWait", error.Message, StringComparison.Ordinal);

        options = new RelayEngineOptions();
        options.Link.MaxCircuitsPerLink = 0;
        error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains("LinkOptions.MaxCircuitsPerLink", error.Message, StringComparison.Ordinal);

        options = new RelayEngineOptions { RelayLinkIdleTimeout = TimeSpan.FromMilliseconds(10) };
        error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains("RelayEngineOptions.RelayLinkIdleTimeout is 00:00:00.0100000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Metric_tags_keep_their_names()
    {
        // Dashboards and alerts read these strings: each outcome and refusal keeps the tag it had as a string.
        Assert.Equal("ok", RelayEngineMetrics.Tag(ExtendOutcome.Extended));
        Assert.Equal("address_not_listed", RelayEngineMetrics.Tag(ExtendOutcome.AddressNotListed));
        Assert.Equal("connect_failed", RelayEngineMetrics.Tag(ExtendOutcome.ConnectFailed));
        Assert.Equal("bad_created2", RelayEngineMetrics.Tag(ExtendOutcome.BadCreated2));
        Assert.Equal("fault", RelayEngineMetrics.Tag(ExtendOutcome.Fault));
        Assert.Equal("max_links", RelayEngineMetrics.Tag(ConnectionRefusal.MaxLinks));
        Assert.Equal("too_many_connections", RelayEngineMetrics.Tag(ConnectionRefusals.From(HiddenPoint.Relay.Limits.AdmissionRefusal.TooManyConnections)));
        Assert.Equal("refused", RelayEngineMetrics.Tag(ConnectionRefusals.From(HiddenPoint.Relay.Limits.AdmissionRefusal.TooManyAddresses)));
        Assert.Equal("stopping", RelayEngineMetrics.Tag(CircuitRefusal.Stopping));
        Assert.Equal("queue_full", RelayEngineMetrics.Tag(CircuitRefusal.QueueFull));
        Assert.Equal("queue_timeout", RelayEngineMetrics.Tag(CircuitRefusal.QueueTimeout));
        Assert.Equal("marked", RelayEngineMetrics.Tag(CircuitRefusals.From(HiddenPoint.Relay.Limits.AdmissionRefusal.Marked)));
        Assert.Equal("no_cgo", RelayEngineMetrics.Tag(CircuitRefusals.From(HandshakeFailure.NoCgo)));
        Assert.Equal("wrong_key", RelayEngineMetrics.Tag(CircuitRefusals.From(HandshakeFailure.WrongKey)));
        Assert.Equal("malformed", RelayEngineMetrics.Tag(CircuitRefusals.From(HandshakeFailure.MalformedCell)));
        foreach (var outcome in Enum.GetValues<ExtendOutcome>())
        {
            Assert.False(string.IsNullOrEmpty(RelayEngineMetrics.Tag(outcome)));
        }

        Assert.Equal(Enum.GetValues<ExtendOutcome>().Length, Enum.GetValues<ExtendOutcome>().Select(RelayEngineMetrics.Tag).Distinct().Count());
    }
}

public sealed class ListedEndpointTests
{
    // 0.0.0.0, :: and ::ffff:a.b.c.d never get this far: link specifiers cannot hold them (LinkSpecifiersTests).
    [Theory]
    [InlineData("127.0.0.2")]
    [InlineData("2001:db8::1")]
    public void An_address_that_names_no_listed_relay_is_passed_over_without_an_exception(string address)
    {
        using var keys = new FixedKeys();
        var relay = Relay(keys);
        var ip = IPAddress.Parse(address);
        var specifiers = ip.AddressFamily == AddressFamily.InterNetwork
            ? new LinkSpecifiers(keys.Id, new IPEndPoint(ip, 9001), null)
            : new LinkSpecifiers(keys.Id, null, new IPEndPoint(ip, 9001));
        Assert.Null(CircuitExtender.ListedEndpoint(relay, specifiers));
    }

    [Fact]
    public void The_listed_address_is_found_whichever_family_names_it()
    {
        using var keys = new FixedKeys();
        var relay = Relay(keys);
        var listed = new IPEndPoint(IPAddress.Loopback, 9001);
        Assert.Equal(listed, CircuitExtender.ListedEndpoint(relay, new LinkSpecifiers(keys.Id, listed, null)));
        Assert.Equal(listed, CircuitExtender.ListedEndpoint(relay, new LinkSpecifiers(keys.Id, listed, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 9001))));
        Assert.Null(CircuitExtender.ListedEndpoint(relay, new LinkSpecifiers(keys.Id, new IPEndPoint(IPAddress.Loopback, 9002), null)));
    }

    private static RelayStatus Relay(FixedKeys keys) => new(
        keys.Id,
        "listed",
        [new RelayAddress(IPAddress.Loopback, 9001)],
        keys.Current.LinkKey.Public,
        keys.Current.CircuitHandshakeKey.Public,
        RelayFlags.Running | RelayFlags.Valid,
        1);
}
