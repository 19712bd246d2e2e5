using System.Net;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Relay.Tests.Limits;

/// <summary>TEST-MATRIX FL-02 and FL-04 at the unit level: Tor's per-address defences with a fake clock.</summary>
public sealed class AddressLimiterTests : IDisposable
{
    private static readonly IPAddress Attacker = IPAddress.Parse("198.51.100.7");
    private static readonly IPAddress Bystander = IPAddress.Parse("203.0.113.9");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddDays(20_000));
    private readonly TestMeterFactory _meters = new();
    private readonly List<IDisposable> _leases = [];

    public void Dispose()
    {
        foreach (var lease in _leases)
        {
            lease.Dispose();
        }

        _meters.Dispose();
    }

    [Fact]
    public void FL02_Circuits_pass_for_the_burst_then_the_address_is_refused_and_marked()
    {
        using var limiter = NewLimiter();
        Connect(limiter, Attacker, 3);
        for (var i = 0; i < 90; i++)
        {
            Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitCircuit(Attacker));
        }

        Assert.Equal(AdmissionRefusal.CircuitRate, limiter.TryAdmitCircuit(Attacker));

        // Marked: even after the bucket refills, CREATE2 stays refused for the defence period.
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AdmissionRefusal.Marked, limiter.TryAdmitCircuit(Attacker));
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitCircuit(Bystander));

        // Connections are another matter: a circuit mark does not refuse them.
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(Attacker, out var lease));
        lease!.Dispose();
    }

    [Fact]
    public void FL02_The_circuit_bucket_refills_at_the_rate()
    {
        // One connection: below DoSCircuitCreationMinConnections, so the address is refused but never marked.
        using var limiter = NewLimiter();
        Connect(limiter, Attacker, 1);
        for (var i = 0; i < 90; i++)
        {
            Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitCircuit(Attacker));
        }

        Assert.Equal(AdmissionRefusal.CircuitRate, limiter.TryAdmitCircuit(Attacker));
        _time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitCircuit(Attacker));
        }

        Assert.Equal(AdmissionRefusal.CircuitRate, limiter.TryAdmitCircuit(Attacker));
        _time.Advance(TimeSpan.FromSeconds(10));
        var admitted = 0;
        while (limiter.TryAdmitCircuit(Attacker) == AdmissionRefusal.None)
        {
            admitted++;
        }

        Assert.Equal(30, admitted);
    }

    [Fact]
    public void FL02_A_mark_lasts_the_defence_period_and_then_expires()
    {
        using var limiter = NewLimiter(o => o.CircuitDefensePeriod = TimeSpan.FromSeconds(60));
        Connect(limiter, Attacker, 5);
        while (limiter.TryAdmitCircuit(Attacker) == AdmissionRefusal.None)
        {
        }

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(AdmissionRefusal.Marked, limiter.TryAdmitCircuit(Attacker));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitCircuit(Attacker));
    }

    [Fact]
    public void FL04_Connections_pass_for_the_burst_then_the_address_is_marked_for_the_connection_defence_period()
    {
        using var limiter = NewLimiter(o => o.ConnectionDefensePeriod = TimeSpan.FromSeconds(60));
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(Attacker, out var lease));
            lease!.Dispose();
        }

        Assert.Equal(AdmissionRefusal.ConnectionRate, limiter.TryAdmitConnection(Attacker, out var refused));
        Assert.Null(refused);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(AdmissionRefusal.Marked, limiter.TryAdmitConnection(Attacker, out _));
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(Bystander, out var other));
        other!.Dispose();
        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(Attacker, out var again));
        again!.Dispose();
    }

    [Fact]
    public void FL04_Concurrent_connections_are_capped_and_a_released_lease_makes_room()
    {
        using var limiter = NewLimiter(o => o.MaxConcurrentConnections = 5);
        var leases = new List<IDisposable>();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(Attacker, out var lease));
            leases.Add(lease!);
        }

        Assert.Equal(AdmissionRefusal.TooManyConnections, limiter.TryAdmitConnection(Attacker, out _));

        // Disposing twice releases once.
        leases[0].Dispose();
        leases[0].Dispose();
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(Attacker, out var replacement));
        Assert.Equal(AdmissionRefusal.TooManyConnections, limiter.TryAdmitConnection(Attacker, out _));
        replacement!.Dispose();
        foreach (var lease in leases)
        {
            lease.Dispose();
        }
    }

    [Fact]
    public async Task FL02_One_address_flooding_from_many_threads_gets_exactly_its_burst_while_another_is_admitted()
    {
        using var limiter = NewLimiter(o => o.CircuitDefensePeriod = TimeSpan.FromMinutes(5));
        Connect(limiter, Attacker, 5);
        Connect(limiter, Bystander, 1);
        var admitted = 0;
        using var start = new ManualResetEventSlim();
        var floods = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.Wait(TimeSpan.FromSeconds(10));
            for (var i = 0; i < 5_000; i++)
            {
                if (limiter.TryAdmitCircuit(Attacker) == AdmissionRefusal.None)
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        })).ToArray();
        start.Set();
        var bystanderAdmitted = 0;
        for (var i = 0; i < 50; i++)
        {
            if (limiter.TryAdmitCircuit(Bystander) == AdmissionRefusal.None)
            {
                bystanderAdmitted++;
            }
        }

        await Task.WhenAll(floods).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(90, admitted);
        Assert.Equal(50, bystanderAdmitted);
        Assert.Equal(AdmissionRefusal.Marked, limiter.TryAdmitCircuit(Attacker));
    }

    [Fact]
    public void IPv6_addresses_count_per_64_bit_prefix_and_mapped_IPv4_counts_as_IPv4()
    {
        using var limiter = NewLimiter(o => o.MaxConcurrentConnections = 2);
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(IPAddress.Parse("2001:db8:1:2::1"), out var a));
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(IPAddress.Parse("2001:db8:1:2:ffff::99"), out var b));
        Assert.Equal(AdmissionRefusal.TooManyConnections, limiter.TryAdmitConnection(IPAddress.Parse("2001:db8:1:2::3"), out _));
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(IPAddress.Parse("2001:db8:1:3::1"), out var c));

        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(Attacker, out var d));
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(Attacker.MapToIPv6(), out var e));
        Assert.Equal(AdmissionRefusal.TooManyConnections, limiter.TryAdmitConnection(Attacker, out _));
        foreach (var lease in new[] { a, b, c, d, e })
        {
            lease!.Dispose();
        }

        using var exact = NewLimiter(o =>
        {
            o.MaxConcurrentConnections = 1;
            o.Ipv6PrefixLength = 128;
        });
        Assert.Equal(AdmissionRefusal.None, exact.TryAdmitConnection(IPAddress.Parse("2001:db8::1"), out var f));
        Assert.Equal(AdmissionRefusal.None, exact.TryAdmitConnection(IPAddress.Parse("2001:db8::2"), out var g));
        f!.Dispose();
        g!.Dispose();
    }

    [Fact]
    public void The_table_stays_bounded_under_a_million_distinct_addresses_and_keeps_marked_ones()
    {
        using var limiter = NewLimiter(o =>
        {
            o.MaxTrackedAddresses = 65_536;
            o.MaxConcurrentConnections = 1;
        });

        // An address that is holding a connection and one that is marked must survive the flood.
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(Bystander, out var held));
        for (var i = 0; i < 40; i++)
        {
            limiter.TryAdmitConnection(Attacker, out var lease);
            lease?.Dispose();
        }

        Assert.Equal(AdmissionRefusal.ConnectionRate, limiter.TryAdmitConnection(Attacker, out _));
        var largest = 0;
        for (var i = 0; i < 1_000_000; i++)
        {
            var address = new IPAddress((uint)(0x0A00_0000 + i));
            Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(address, out var lease));
            lease!.Dispose();
            limiter.TryAdmitCircuit(address);
            if (i % 10_000 == 0)
            {
                largest = Math.Max(largest, limiter.Count);
            }
        }

        Assert.InRange(largest, 1, 65_536);
        Assert.InRange(limiter.Count, 1, 65_536);
        Assert.Equal(AdmissionRefusal.Marked, limiter.TryAdmitConnection(Attacker, out _));
        Assert.Equal(AdmissionRefusal.TooManyConnections, limiter.TryAdmitConnection(Bystander, out _));

        // Once their buckets are full again, idle addresses are forgotten; the held and marked ones stay.
        _time.Advance(TimeSpan.FromMinutes(2));
        limiter.Sweep();
        Assert.Equal(2, limiter.Count);
        held!.Dispose();
    }

    [Fact]
    public void The_consensus_overrides_limits_and_unset_ones_return_to_the_configuration()
    {
        using var limiter = NewLimiter(o => o.CircuitCreationBurst = 50);
        limiter.ApplyNetworkParameters(new NetworkParameters(
        [
            new("DoSCircuitCreationBurst", 5),
            new("DoSConnectionMaxConcurrentCount", 2),
        ]));
        Assert.Equal(5, limiter.Current.CircuitCreationBurst);
        Assert.Equal(2, limiter.Current.MaxConcurrentConnections);
        Assert.Equal(3, limiter.Current.CircuitCreationRate);
        Connect(limiter, Attacker, 2);
        Assert.Equal(AdmissionRefusal.TooManyConnections, limiter.TryAdmitConnection(Attacker, out _));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitCircuit(Bystander));
        }

        Assert.Equal(AdmissionRefusal.CircuitRate, limiter.TryAdmitCircuit(Bystander));

        limiter.ApplyNetworkParameters(new NetworkParameters([new("DoSCircuitCreationEnabled", 0)]));
        Assert.False(limiter.Current.CircuitLimitsEnabled);
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitCircuit(Bystander));

        limiter.ApplyNetworkParameters(NetworkParameters.Empty);
        Assert.Equal(50, limiter.Current.CircuitCreationBurst);
        Assert.Equal(100, limiter.Current.MaxConcurrentConnections);
        Assert.True(limiter.Current.CircuitLimitsEnabled);
    }

    [Fact]
    public void Out_of_range_consensus_values_are_clamped_by_the_parameter_range()
    {
        var configured = new RelayLimitsOptions();
        var parameters = new NetworkParameters([new("DoSConnectionDefensePeriod", 600), new("Unrelated", 1)]);
        var applied = configured.WithNetworkParameters(parameters);
        Assert.Equal(TimeSpan.FromMinutes(10), applied.ConnectionDefensePeriod);
        Assert.Equal(TimeSpan.FromHours(24), configured.ConnectionDefensePeriod);
        Assert.Throws<ArgumentException>(() => new NetworkParameters([new("DoSCircuitCreationRate", 0)]));
    }

    [Fact]
    public void Options_out_of_range_are_named()
    {
        var options = new RelayLimitsOptions { CircuitCreationBurst = 0, Ipv6PrefixLength = 8, MemoryLimit = 1024, CacheTrimPercent = 50 };
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains("RelayLimitsOptions.CircuitCreationBurst is 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("RelayLimitsOptions.Ipv6PrefixLength is 8", error.Message, StringComparison.Ordinal);
        Assert.Contains("RelayLimitsOptions.MemoryLimit is 1024", error.Message, StringComparison.Ordinal);
        Assert.Contains("RelayLimitsOptions.CacheTrimPercent is 50", error.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => new AddressLimiter(Options.Create(options), _time, _meters));
        new RelayLimitsOptions().Validate();
        Assert.True(new RelayLimitsOptions { MemoryLimit = 0 }.EffectiveMemoryLimit >= 64L * 1024 * 1024);
    }

    [Fact]
    public void Refusals_are_counted_by_reason_and_marked_addresses_are_a_gauge()
    {
        using var recorder = new MeasurementRecorder(_meters);
        using var limiter = NewLimiter(o => o.MaxConcurrentConnections = 3);
        Connect(limiter, Attacker, 3);
        Assert.Equal(AdmissionRefusal.TooManyConnections, limiter.TryAdmitConnection(Attacker, out _));
        while (limiter.TryAdmitCircuit(Attacker) == AdmissionRefusal.None)
        {
        }

        limiter.TryAdmitCircuit(Attacker);
        limiter.TryAdmitCircuit(Attacker);
        recorder.Observe();
        Assert.Equal(1, recorder.Get("hpc.relay.connections_refused", "too_many_connections"));
        Assert.Equal(1, recorder.Get("hpc.relay.circuits_refused", "circuit_rate"));
        Assert.Equal(2, recorder.Get("hpc.relay.circuits_refused", "marked"));
        Assert.Equal(1, recorder.Get("hpc.relay.address_marks", "circuit_rate"));
        Assert.Equal(1, recorder.Get("hpc.relay.addresses_marked"));
        Assert.Equal(1, recorder.Get("hpc.relay.addresses_tracked"));
    }

    [Fact]
    public void Circuits_are_refused_while_the_relay_is_above_its_memory_limit()
    {
        long queued = 0;
        var options = new RelayLimitsOptions { MemoryLimit = 16L * 1024 * 1024 };
        var quota = new MemoryQuota(options, () => Volatile.Read(ref queued));
        using var limiter = new AddressLimiter(Options.Create(options), _time, _meters, memoryQuota: quota);
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitCircuit(Bystander));
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitRelayCircuit());
        Volatile.Write(ref queued, 17L * 1024 * 1024);
        Assert.Equal(AdmissionRefusal.MemoryLimit, limiter.TryAdmitCircuit(Bystander));

        // Listed relays skip the per-address rates, not the memory limit.
        Assert.Equal(AdmissionRefusal.MemoryLimit, limiter.TryAdmitRelayCircuit());
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(Bystander, out var lease));
        lease!.Dispose();
        Volatile.Write(ref queued, 0);
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitCircuit(Bystander));
        Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitRelayCircuit());
    }

    private AddressLimiter NewLimiter(Action<RelayLimitsOptions>? configure = null) =>
        new(LimitsTestOptions.Create(configure), _time, _meters);

    private void Connect(AddressLimiter limiter, IPAddress address, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(AdmissionRefusal.None, limiter.TryAdmitConnection(address, out var lease));
            _leases.Add(lease!);
        }
    }
}
