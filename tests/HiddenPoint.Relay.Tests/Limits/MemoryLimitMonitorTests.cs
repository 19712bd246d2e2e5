using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Relay.Tests.Limits;

/// <summary>TEST-MATRIX FL-07 and FL-08: the memory quota, cache trimming, and closing the oldest queued data first.</summary>
public sealed class MemoryLimitMonitorTests : IDisposable
{
    private const long MiB = 1024 * 1024;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddDays(20_000));
    private readonly TestMeterFactory _meters = new();
    private readonly FakeCircuits _circuits = new();

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Caches_claim_up_to_their_share_and_give_it_back()
    {
        var quota = NewQuota(100 * MiB);
        Assert.Equal(20 * MiB, quota.CacheShare);
        Assert.Equal(10 * MiB, quota.CacheTrimTarget);
        Assert.True(quota.TryClaimCache(15 * MiB));
        Assert.False(quota.TryClaimCache(6 * MiB));
        Assert.Equal(15 * MiB, quota.CacheBytes);
        Assert.True(quota.TryClaimCache(5 * MiB));
        quota.ReleaseCache(20 * MiB);
        Assert.Equal(0, quota.CacheBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => quota.TryClaimCache(-1));
    }

    [Fact]
    public void Below_the_limit_nothing_happens()
    {
        var quota = NewQuota(100 * MiB);
        _circuits.Add(90 * MiB, ageSeconds: 100);
        using var monitor = NewMonitor(quota);
        Assert.Equal(default, monitor.Check());
        Assert.Equal(0, _circuits.ClosedCount);
    }

    [Fact]
    public void FL07_Caches_above_their_share_are_trimmed_to_ten_percent_first()
    {
        var quota = NewQuota(100 * MiB);
        var cache = new FakeCache(quota, 20 * MiB);
        using var registration = quota.RegisterCacheTrimmer(cache.Trim);
        _circuits.Add(81 * MiB, ageSeconds: 10);
        using var monitor = NewMonitor(quota);

        // 101 MiB: trimming the cache from 20 to 10 MiB brings it to 91, below the limit, so no circuit is closed.
        var outcome = monitor.Check();
        Assert.True(outcome.WasOverLimit);
        Assert.Equal(10 * MiB, outcome.CacheBytesTrimmed);
        Assert.Equal(10 * MiB, quota.CacheBytes);
        Assert.Equal(0, outcome.CircuitsClosed);
    }

    [Fact]
    public void FL07_Circuits_with_the_oldest_queued_data_are_closed_until_below_ninety_percent()
    {
        var quota = NewQuota(100 * MiB);
        var young = _circuits.Add(30 * MiB, ageSeconds: 1);
        var oldest = _circuits.Add(8 * MiB, ageSeconds: 60);
        var old = _circuits.Add(10 * MiB, ageSeconds: 30);
        var middle = _circuits.Add(40 * MiB, ageSeconds: 5);
        var empty = _circuits.Add(0, ageSeconds: 0);
        _circuits.Add(12 * MiB, ageSeconds: 2);
        using var monitor = NewMonitor(quota);

        // 100 MiB... plus a cache under its share: 101 MiB. Target below 90 MiB: 11+ MiB to free, oldest first.
        Assert.True(quota.TryClaimCache(1 * MiB));
        var outcome = monitor.Check();
        Assert.Equal(2, outcome.CircuitsClosed);
        Assert.Equal(18 * MiB, outcome.QueuedBytesFreed);
        Assert.True(oldest.Closed && old.Closed);
        Assert.False(young.Closed || middle.Closed || empty.Closed);
        Assert.True(quota.Used < 90 * MiB);
        Assert.Equal(1 * MiB, quota.CacheBytes);
    }

    [Fact]
    public void FL07_A_failing_trimmer_does_not_stop_the_others_or_the_monitor()
    {
        var quota = NewQuota(100 * MiB);
        var cache = new FakeCache(quota, 20 * MiB);
        using var bad = quota.RegisterCacheTrimmer(_ => throw new InvalidOperationException("broken cache"));
        using var good = quota.RegisterCacheTrimmer(cache.Trim);
        _circuits.Add(95 * MiB, ageSeconds: 3);
        using var monitor = NewMonitor(quota);
        var outcome = monitor.Check();
        Assert.Equal(10 * MiB, outcome.CacheBytesTrimmed);
        Assert.Equal(1, outcome.CircuitsClosed);

        // Unregistered trimmers are not called again.
        good.Dispose();
        Assert.Single(quota.Trimmers);
    }

    [Fact]
    public async Task FL07_The_hosted_loop_acts_within_one_second_and_counts_its_actions()
    {
        using var recorder = new MeasurementRecorder(_meters);
        var quota = NewQuota(100 * MiB);
        using var monitor = NewMonitor(quota);
        await monitor.StartAsync(CancellationToken.None);
        var stalled = _circuits.Add(120 * MiB, ageSeconds: 20);
        for (var i = 0; i < 4 && !stalled.Closed; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Yield();
            SpinWait.SpinUntil(() => stalled.Closed, TimeSpan.FromMilliseconds(500));
        }

        Assert.True(stalled.Closed);
        await monitor.StopAsync(CancellationToken.None);
        recorder.Observe();
        Assert.Equal(1, recorder.Get("hpc.relay.memory_limit_actions", "close_circuit"));
        Assert.Equal(120 * MiB, recorder.Get("hpc.relay.memory_limit_freed", "close_circuit"));
        Assert.Equal(100 * MiB, recorder.Get("hpc.relay.memory_limit"));
    }

    [Fact]
    public async Task FL06_FL07_A_stalled_circuit_s_queue_grows_and_it_is_the_one_closed_while_a_fresh_circuit_survives()
    {
        // Client A → relay → next relay, with client A no longer reading; client B → relay, one hop, busy and fresh.
        using var meters = new TestMeterFactory();
        using var runtime = TestLinks.Runtime(circuit: o => o.MaxQueuedCells = 10_000, meters: meters);
        var relay = new AcceptingRelay();
        var next = new AcceptingRelay();
        GatedPipeReader? stalledInput = null;
        var (linkA, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay, r => stalledInput = new GatedPipeReader(r));
        var (linkB, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (outward, _) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.RelayToRelay, next);
        var (clientA, stalledAtRelay) = await KeyMaterialCircuits.OpenCircuitAsync(linkA, relay, new RecordingHandler());
        var atNext = await KeyMaterialCircuits.ExtendAsync(clientA, stalledAtRelay, outward, next);
        var (clientB, freshAtRelay) = await KeyMaterialCircuits.OpenCircuitAsync(linkB, relay, new RecordingHandler());
        var freshHandler = relay.HandlerOf(freshAtRelay);

        var options = new RelayLimitsOptions { MemoryLimit = 1 * MiB };
        var quota = new MemoryQuota(Options.Create(options), runtime);
        using var monitor = new MemoryLimitMonitor(quota, new ReactorCircuits(relay.Snapshot), Options.Create(options), TimeProvider.System, meters);

        stalledInput!.Close();
        using var stop = new CancellationTokenSource();
        var pushing = Task.Run(async () =>
        {
            while (!atNext.IsClosed && !stop.IsCancellationRequested)
            {
                await atNext.SendAsync(TestCells.Message(outward.Pool, RelayCommand.Drop, []));
            }
        });

        // The stalled circuit's queue passes the limit.
        Assert.True(
            SpinWait.SpinUntil(() => stalledAtRelay.HeldCells * (long)CircuitQueueAccount.BytesPerCell > 2 * MiB, TestTimeouts.Step),
            $"used {quota.Used}, held {stalledAtRelay.HeldCells}");
        Assert.True(quota.IsOverLimit);

        // Stop pushing before the circuit's own queue cap (10,000 cells) would close it first.
        await stop.CancelAsync();
        await pushing.WaitAsync(TestTimeouts.Step);
        Assert.False(stalledAtRelay.IsClosed);

        // Meanwhile the fresh circuit carries traffic and drains it.
        for (var i = 0; i < 20; i++)
        {
            await clientB.SendAsync(HopIndex.First, TestCells.Message(linkB.Pool, RelayCommand.Drop, []));
        }

        Assert.True(SpinWait.SpinUntil(() => freshHandler.Count == 20, TestTimeouts.Step));

        var outcome = monitor.Check();
        Assert.True(outcome.WasOverLimit);
        Assert.Equal(1, outcome.CircuitsClosed);
        Assert.True(stalledAtRelay.IsClosed);
        Assert.False(freshAtRelay.IsClosed);
        Assert.True(SpinWait.SpinUntil(() => !quota.IsOverLimit && stalledAtRelay.HeldCells == 0, TestTimeouts.Step), $"used {quota.Used}");

        // DESTROY went outward at once; the fresh circuit still works.
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await atNext.Completion.WaitAsync(TestTimeouts.Step));
        await stop.CancelAsync();
        await pushing.WaitAsync(TestTimeouts.Step);
        await clientB.SendAsync(HopIndex.First, TestCells.Message(linkB.Pool, RelayCommand.Drop, []));
        Assert.True(SpinWait.SpinUntil(() => freshHandler.Count == 21, TestTimeouts.Step));
        Assert.Equal(default, monitor.Check());

        // DESTROY inward reaches client A once it reads again. Both ways it says RESOURCELIMIT, not FINISHED.
        stalledInput.Open();
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await clientA.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.MemoryLimit, await stalledAtRelay.Completion.WaitAsync(TestTimeouts.Step));
        Assert.Equal(DestroyReason.ResourceLimit, clientA.PeerDestroyReason);
        Assert.Equal(DestroyReason.ResourceLimit, atNext.PeerDestroyReason);
        await linkA.DisposeAsync();
        await linkB.DisposeAsync();
        await outward.DisposeAsync();
    }

    [Fact]
    public async Task FL07_A_link_whose_peer_stopped_reading_is_closed_for_its_outbound_queue_while_a_busy_link_survives()
    {
        // Client A stops reading what the relay sends it; client B's link carries traffic both ways.
        using var meters = new TestMeterFactory();
        using var recorder = new MeasurementRecorder(meters);
        using var runtime = TestLinks.Runtime(link: o => o.OutboundQueueCapacity = 4_096, meters: meters);
        var relay = new AcceptingRelay();
        GatedPipeReader? stalledInput = null;
        var (clientA, relayA) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay, r => stalledInput = new GatedPipeReader(r));
        var (clientB, relayB) = await TestLinks.OpenPipeLinkAsync(runtime, LinkKind.ClientToRelay, relay);
        var (busy, busyAtRelay) = await KeyMaterialCircuits.OpenCircuitAsync(clientB, relay, new RecordingHandler());
        var busyHandler = relay.HandlerOf(busyAtRelay);

        var options = new RelayLimitsOptions { MemoryLimit = 1 * MiB };
        var quota = new MemoryQuota(Options.Create(options), runtime);
        using var monitor = new MemoryLimitMonitor(
            quota, new ReactorCircuits(relay.Snapshot, () => runtime.OpenLinks), Options.Create(options), TimeProvider.System, meters);

        // The relay's queue towards client A fills: 4,096 cells (about 2.2 MB) wait for a reader that is gone.
        stalledInput!.Close();
        for (var i = 0; i < 100_000; i++)
        {
            var padding = relayA.Pool.Rent();
            PaddingBody.Encode(Cell.WriteHeader(padding.Span, null, CellCommand.Padding));
            if (!relayA.TrySend(padding))
            {
                relayA.Pool.Return(padding);
                break;
            }
        }

        Assert.True(relayA.OutboundCells * (long)CircuitQueueAccount.BytesPerCell > 1 * MiB, $"queued {relayA.OutboundCells}");
        Assert.True(quota.IsOverLimit, $"used {quota.Used}");
        for (var i = 0; i < 20; i++)
        {
            await busy.SendAsync(HopIndex.First, TestCells.Message(clientB.Pool, RelayCommand.Drop, []));
        }

        Assert.True(SpinWait.SpinUntil(() => busyHandler.Count == 20, TestTimeouts.Step));

        var outcome = monitor.Check();
        Assert.True(outcome.WasOverLimit);
        Assert.Equal(1, outcome.LinksClosed);
        Assert.Equal(0, outcome.CircuitsClosed);
        Assert.Equal(LinkCloseReason.MemoryLimit, await relayA.Completion.WaitAsync(TestTimeouts.Step));
        Assert.True(SpinWait.SpinUntil(() => !quota.IsOverLimit, TestTimeouts.Step), $"used {quota.Used}");
        Assert.DoesNotContain(relayA, runtime.OpenLinks);
        recorder.Observe();
        Assert.Equal(1, recorder.Get("hpc.relay.memory_limit_actions", "close_link"));

        // The busy link and its circuit carry on.
        Assert.Equal(LinkCloseReason.None, relayB.CloseReason);
        await busy.SendAsync(HopIndex.First, TestCells.Message(clientB.Pool, RelayCommand.Drop, []));
        Assert.True(SpinWait.SpinUntil(() => busyHandler.Count == 21, TestTimeouts.Step));
        Assert.Equal(default, monitor.Check());

        stalledInput.Open();
        await clientA.DisposeAsync();
        await clientB.DisposeAsync();
        await relayB.Completion.WaitAsync(TestTimeouts.Step);
    }

    private MemoryQuota NewQuota(long limit) => new(new RelayLimitsOptions { MemoryLimit = limit }, () => _circuits.QueuedBytes);

    private MemoryLimitMonitor NewMonitor(MemoryQuota quota) =>
        new(quota, _circuits, LimitsTestOptions.Create(o => o.MemoryLimit = quota.Limit), _time, _meters);

    private sealed class FakeCircuits : IMemoryLimitCircuits
    {
        private readonly List<FakeCircuit> _all = [];

        public int ClosedCount => _all.Count(c => c.Closed);

        public long QueuedBytes
        {
            get
            {
                lock (_all)
                {
                    return _all.Where(c => !c.Closed).Sum(c => c.QueuedBytes);
                }
            }
        }

        public FakeCircuit Add(long bytes, int ageSeconds)
        {
            var circuit = new FakeCircuit(bytes, bytes == 0 ? 0 : 1_000_000 - ageSeconds);
            lock (_all)
            {
                _all.Add(circuit);
            }

            return circuit;
        }

        public void Collect(List<IQueuedCircuit> into)
        {
            lock (_all)
            {
                into.AddRange(_all.Where(c => !c.Closed));
            }
        }
    }

    private sealed class FakeCircuit(long bytes, long oldest) : IQueuedCircuit
    {
        private volatile bool _closed;

        public long QueuedBytes => _closed ? 0 : bytes;

        public long OldestQueuedTimestamp => _closed ? 0 : oldest;

        public bool IsClosed => _closed;

        public bool Closed => _closed;

        public void Close() => _closed = true;
    }

    private sealed class FakeCache
    {
        private readonly MemoryQuota _quota;
        private long _held;

        public FakeCache(MemoryQuota quota, long bytes)
        {
            _quota = quota;
            Assert.True(quota.TryClaimCache(bytes));
            _held = bytes;
        }

        public long Trim(long bytesToFree)
        {
            var freed = Math.Min(bytesToFree, _held);
            _held -= freed;
            _quota.ReleaseCache(freed);
            return freed;
        }
    }
}
