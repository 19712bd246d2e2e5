using System.Diagnostics.Metrics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HiddenPoint.Network.Addressing;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Limits;

/// <summary>
/// Admission of connections and circuits per source address, as the circuit engine asks for it.
/// <see cref="AddressLimiter"/> is the real one (Tor's DoS defences); tests of other parts may admit everything.
/// </summary>
public interface IAddressAdmission
{
    /// <summary>
    /// Admits a new connection from <paramref name="address"/> or says why not. On success <paramref name="lease"/>
    /// counts it as concurrent until disposed (when the link closes).
    /// </summary>
    AdmissionRefusal TryAdmitConnection(IPAddress address, out IDisposable? lease);

    /// <summary>Admits a CREATE2 from <paramref name="address"/> (a client, or a relay not listed in the consensus).</summary>
    AdmissionRefusal TryAdmitCircuit(IPAddress address);

    /// <summary>
    /// Admits a CREATE2 from a relay the consensus lists: listed relays are exempt from the per-address rates
    /// (they carry many clients' circuits), but not from the relay's memory limit.
    /// </summary>
    AdmissionRefusal TryAdmitRelayCircuit() => AdmissionRefusal.None;
}

/// <summary>
/// Tor's denial-of-service defences per source address (dos-spec): at most
/// <see cref="RelayLimitsOptions.MaxConcurrentConnections"/> connections at once; new connections through a token
/// bucket (<see cref="RelayLimitsOptions.ConnectionRate"/>/s, burst <see cref="RelayLimitsOptions.ConnectionBurst"/>)
/// whose exhaustion marks the address for <see cref="RelayLimitsOptions.ConnectionDefensePeriod"/>; CREATE2 through
/// another bucket (<see cref="RelayLimitsOptions.CircuitCreationRate"/>/s, burst
/// <see cref="RelayLimitsOptions.CircuitCreationBurst"/>) whose exhaustion refuses the circuit and, when the address
/// holds at least <see cref="RelayLimitsOptions.CircuitCreationMinConnections"/> connections, marks it for
/// <see cref="RelayLimitsOptions.CircuitDefensePeriod"/>. While the relay is above its memory limit, new circuits are
/// refused whoever asks.
/// </summary>
/// <remarks>
/// Called from every link's accept and read loop at once. The table is split into 64 stripes, each a dictionary under
/// its own lock, picked by a keyed hash of the address, so two links rarely meet on one lock and a lock is held for a
/// dictionary lookup and a few arithmetic steps. Addresses are keyed with a secret random hash. The table is bounded
/// by <see cref="RelayLimitsOptions.MaxTrackedAddresses"/>: see there for what happens when it is full.
/// </remarks>
public sealed class AddressLimiter : IAddressAdmission, IDisposable
{
    private const int StripeCount = 64;

    private readonly RelayLimitsOptions _configured;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MemoryQuota? _memory;
    private readonly Stripe[] _stripes;
    private readonly KeyedAddressComparer _comparer = new();
    private readonly int _stripeCapacity;
    private readonly Meter _meter;
    private readonly Counter<long> _connectionsRefused;
    private readonly Counter<long> _circuitsRefused;
    private readonly Counter<long> _marks;
    private volatile Settings _settings;

    /// <summary>Creates the limiter; the options are validated here.</summary>
    /// <param name="options">The configured limits (the consensus may override them later).</param>
    /// <param name="timeProvider">The clock buckets and marks are kept with.</param>
    /// <param name="meterFactory">Where the refusal counters and gauges come from (meter <see cref="RelayTelemetry.MeterName"/>).</param>
    /// <param name="logger">Logs marks at Debug, never with the address.</param>
    /// <param name="memoryQuota">When set, CREATE2 is refused while the relay is above its memory limit.</param>
    public AddressLimiter(
        IOptions<RelayLimitsOptions> options,
        TimeProvider timeProvider,
        IMeterFactory meterFactory,
        ILogger<AddressLimiter>? logger = null,
        MemoryQuota? memoryQuota = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _configured = options.Value;
        _configured.Validate();
        _time = timeProvider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _memory = memoryQuota;
        _settings = new Settings(_configured, _time.TimestampFrequency);
        _stripeCapacity = Math.Max(16, _configured.MaxTrackedAddresses / StripeCount);
        _stripes = new Stripe[StripeCount];
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new Stripe(_comparer, _time.GetTimestamp());
        }

        _meter = meterFactory.Create(RelayTelemetry.MeterName);
        _connectionsRefused = _meter.CreateCounter<long>("hpc.relay.connections_refused", "{connection}", "Connections refused by the per-address limits, by reason.");
        _circuitsRefused = _meter.CreateCounter<long>("hpc.relay.circuits_refused", "{circuit}", "CREATE2 refused by the per-address limits or the memory limit, by reason.");
        _marks = _meter.CreateCounter<long>("hpc.relay.address_marks", "{mark}", "Times an address was marked for a defence period, by reason.");
        _meter.CreateObservableGauge("hpc.relay.addresses_marked", CountMarked, "{address}", "Addresses inside a defence period now.");
        _meter.CreateObservableGauge("hpc.relay.addresses_tracked", () => (long)Count, "{address}", "Addresses the limiter holds state for.");
    }

    /// <summary>Addresses (IPv6 prefixes) tracked now.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var stripe in _stripes)
            {
                lock (stripe.Gate)
                {
                    count += stripe.Entries.Count;
                }
            }

            return count;
        }
    }

    /// <summary>The limits in force: the configured ones, with what the last consensus set.</summary>
    public RelayLimitsOptions Current => _settings.Options;

    /// <summary>
    /// Takes the per-address limits the consensus sets (DoSCircuitCreationRate, DoSConnectionMaxConcurrentCount, …);
    /// limits it leaves unset return to their configured value. Call on every new consensus. Thread-safe; buckets
    /// keep their tokens (capped to a lowered burst) and marks keep their end.
    /// </summary>
    public void ApplyNetworkParameters(NetworkParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _settings = new Settings(_configured.WithNetworkParameters(parameters), _time.TimestampFrequency);
    }

    /// <inheritdoc/>
    public AdmissionRefusal TryAdmitConnection(IPAddress address, out IDisposable? lease)
    {
        ArgumentNullException.ThrowIfNull(address);
        var settings = _settings;
        var key = AddressKey.From(address, settings.Options.Ipv6PrefixLength);
        var stripe = StripeOf(key);
        var now = _time.GetTimestamp();
        var refusal = AdmissionRefusal.None;
        var marked = false;
        lock (stripe.Gate)
        {
            ref var entry = ref Find(stripe, key, now, settings);
            if (Unsafe.IsNullRef(ref entry))
            {
                refusal = settings.Options.ConnectionLimitsEnabled ? AdmissionRefusal.TooManyAddresses : AdmissionRefusal.None;
            }
            else if (settings.Options.ConnectionLimitsEnabled && entry.ConnectionsMarkedUntil > now)
            {
                refusal = AdmissionRefusal.Marked;
            }
            else if (settings.Options.ConnectionLimitsEnabled && entry.Connections >= settings.Options.MaxConcurrentConnections)
            {
                refusal = AdmissionRefusal.TooManyConnections;
            }
            else
            {
                entry.ConnectionTokens = Refill(entry.ConnectionTokens, entry.ConnectionTokensAt, now, settings.ConnectionRatePerTick, settings.Options.ConnectionBurst);
                entry.ConnectionTokensAt = now;
                if (settings.Options.ConnectionLimitsEnabled && entry.ConnectionTokens < 1)
                {
                    entry.ConnectionsMarkedUntil = now + settings.ConnectionDefenseTicks;
                    refusal = AdmissionRefusal.ConnectionRate;
                    marked = true;
                }
                else
                {
                    entry.ConnectionTokens = Math.Max(0, entry.ConnectionTokens - 1);
                    entry.Connections++;
                }
            }
        }

        if (refusal != AdmissionRefusal.None)
        {
            lease = null;
            _connectionsRefused.Add(1, new KeyValuePair<string, object?>("reason", ReasonName(refusal)));
            if (marked)
            {
                _marks.Add(1, new KeyValuePair<string, object?>("reason", ReasonName(refusal)));
                LimitsLog.AddressMarked(_logger, refusal, settings.Options.ConnectionDefensePeriod);
            }

            return refusal;
        }

        lease = new ConnectionLease(this, key);
        return AdmissionRefusal.None;
    }

    /// <inheritdoc/>
    public AdmissionRefusal TryAdmitRelayCircuit()
    {
        if (_memory is { IsOverLimit: true })
        {
            _circuitsRefused.Add(1, new KeyValuePair<string, object?>("reason", ReasonName(AdmissionRefusal.MemoryLimit)));
            return AdmissionRefusal.MemoryLimit;
        }

        return AdmissionRefusal.None;
    }

    /// <inheritdoc/>
    public AdmissionRefusal TryAdmitCircuit(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_memory is { IsOverLimit: true })
        {
            _circuitsRefused.Add(1, new KeyValuePair<string, object?>("reason", ReasonName(AdmissionRefusal.MemoryLimit)));
            return AdmissionRefusal.MemoryLimit;
        }

        var settings = _settings;
        if (!settings.Options.CircuitLimitsEnabled)
        {
            return AdmissionRefusal.None;
        }

        var key = AddressKey.From(address, settings.Options.Ipv6PrefixLength);
        var stripe = StripeOf(key);
        var now = _time.GetTimestamp();
        var refusal = AdmissionRefusal.None;
        var marked = false;
        lock (stripe.Gate)
        {
            ref var entry = ref Find(stripe, key, now, settings);
            if (Unsafe.IsNullRef(ref entry))
            {
                refusal = AdmissionRefusal.TooManyAddresses;
            }
            else if (entry.CircuitsMarkedUntil > now)
            {
                refusal = AdmissionRefusal.Marked;
            }
            else
            {
                entry.CircuitTokens = Refill(entry.CircuitTokens, entry.CircuitTokensAt, now, settings.CircuitRatePerTick, settings.Options.CircuitCreationBurst);
                entry.CircuitTokensAt = now;
                if (entry.CircuitTokens < 1)
                {
                    refusal = AdmissionRefusal.CircuitRate;
                    if (entry.Connections >= settings.Options.CircuitCreationMinConnections)
                    {
                        entry.CircuitsMarkedUntil = now + settings.CircuitDefenseTicks;
                        marked = true;
                    }
                }
                else
                {
                    entry.CircuitTokens -= 1;
                }
            }
        }

        if (refusal != AdmissionRefusal.None)
        {
            _circuitsRefused.Add(1, new KeyValuePair<string, object?>("reason", ReasonName(refusal)));
            if (marked)
            {
                _marks.Add(1, new KeyValuePair<string, object?>("reason", ReasonName(refusal)));
                LimitsLog.AddressMarked(_logger, refusal, settings.Options.CircuitDefensePeriod);
            }
        }

        return refusal;
    }

    /// <summary>Forgets every address that holds nothing worth keeping (see <see cref="RelayLimitsOptions.MaxTrackedAddresses"/>).</summary>
    /// <returns>How many were forgotten.</returns>
    public int Sweep()
    {
        var settings = _settings;
        var now = _time.GetTimestamp();
        var removed = 0;
        foreach (var stripe in _stripes)
        {
            lock (stripe.Gate)
            {
                removed += SweepLocked(stripe, now, settings, evictBudget: 0);
            }
        }

        return removed;
    }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();

    private static string ReasonName(AdmissionRefusal refusal) => refusal switch
    {
        AdmissionRefusal.TooManyConnections => "too_many_connections",
        AdmissionRefusal.ConnectionRate => "connection_rate",
        AdmissionRefusal.CircuitRate => "circuit_rate",
        AdmissionRefusal.Marked => "marked",
        AdmissionRefusal.MemoryLimit => "memory_limit",
        AdmissionRefusal.TooManyAddresses => "too_many_addresses",
        _ => "other",
    };

    private static double Refill(double tokens, long at, long now, double perTick, int burst) =>
        Math.Min(burst, tokens + (Math.Max(0, now - at) * perTick));

    private static bool IsIdle(in AddressEntry entry, long now, Settings settings) =>
        entry.Connections == 0
        && entry.ConnectionsMarkedUntil <= now
        && entry.CircuitsMarkedUntil <= now
        && Refill(entry.ConnectionTokens, entry.ConnectionTokensAt, now, settings.ConnectionRatePerTick, settings.Options.ConnectionBurst) >= settings.Options.ConnectionBurst
        && Refill(entry.CircuitTokens, entry.CircuitTokensAt, now, settings.CircuitRatePerTick, settings.Options.CircuitCreationBurst) >= settings.Options.CircuitCreationBurst;

    private Stripe StripeOf(AddressKey key) =>
        _stripes[(int)(((uint)_comparer.GetHashCode(key) * 0x9E37_79B9u) >> 26)];

    // The entry for key, made if missing; a null reference when the stripe is full of entries worth keeping.
    private ref AddressEntry Find(Stripe stripe, AddressKey key, long now, Settings settings)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(stripe.Entries, key);
        if (!Unsafe.IsNullRef(ref entry))
        {
            return ref entry;
        }

        if (stripe.Entries.Count >= _stripeCapacity)
        {
            // Full: forget the idle first; under an address flood there may be none, so evict an eighth of the stripe
            // among the unmarked addresses without a connection (each loses at most a partly used bucket).
            if (SweepLocked(stripe, now, settings, evictBudget: 0) == 0)
            {
                SweepLocked(stripe, now, settings, evictBudget: Math.Max(1, _stripeCapacity / 8));
            }

            if (stripe.Entries.Count >= _stripeCapacity)
            {
                return ref Unsafe.NullRef<AddressEntry>();
            }
        }
        else if (now - stripe.LastSweep >= settings.SweepTicks)
        {
            SweepLocked(stripe, now, settings, evictBudget: 0);
        }

        entry = ref CollectionsMarshal.GetValueRefOrAddDefault(stripe.Entries, key, out _);
        entry.ConnectionTokens = settings.Options.ConnectionBurst;
        entry.ConnectionTokensAt = now;
        entry.CircuitTokens = settings.Options.CircuitCreationBurst;
        entry.CircuitTokensAt = now;
        return ref entry;
    }

    // Removes idle entries; with a budget, also up to that many unmarked entries without a connection.
    private static int SweepLocked(Stripe stripe, long now, Settings settings, int evictBudget)
    {
        stripe.LastSweep = now;
        var removed = 0;
        foreach (var (key, entry) in stripe.Entries)
        {
            var evict = evictBudget > 0
                ? entry.Connections == 0 && entry.ConnectionsMarkedUntil <= now && entry.CircuitsMarkedUntil <= now
                : IsIdle(entry, now, settings);
            if (evict)
            {
                // Removing during enumeration is allowed for Dictionary.
                stripe.Entries.Remove(key);
                removed++;
                if (evictBudget > 0 && removed >= evictBudget)
                {
                    break;
                }
            }
        }

        return removed;
    }

    private void Release(AddressKey key)
    {
        var stripe = StripeOf(key);
        lock (stripe.Gate)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(stripe.Entries, key);
            if (!Unsafe.IsNullRef(ref entry) && entry.Connections > 0)
            {
                entry.Connections--;
            }
        }
    }

    private long CountMarked()
    {
        var now = _time.GetTimestamp();
        long marked = 0;
        foreach (var stripe in _stripes)
        {
            lock (stripe.Gate)
            {
                foreach (var (_, entry) in stripe.Entries)
                {
                    if (entry.ConnectionsMarkedUntil > now || entry.CircuitsMarkedUntil > now)
                    {
                        marked++;
                    }
                }
            }
        }

        return marked;
    }

    /// <summary>What is known of one address. A struct in the dictionary: no allocation per address.</summary>
    private struct AddressEntry
    {
        public int Connections;
        public double ConnectionTokens;
        public long ConnectionTokensAt;
        public double CircuitTokens;
        public long CircuitTokensAt;
        public long ConnectionsMarkedUntil;
        public long CircuitsMarkedUntil;
    }

    private sealed class Stripe(KeyedAddressComparer comparer, long now)
    {
        public Lock Gate { get; } = new();

        public Dictionary<AddressKey, AddressEntry> Entries { get; } = new(comparer);

        public long LastSweep { get; set; } = now;
    }

    /// <summary>The limits in force, converted to clock ticks once.</summary>
    private sealed class Settings
    {
        public Settings(RelayLimitsOptions options, long frequency)
        {
            Options = options;
            ConnectionRatePerTick = (double)options.ConnectionRate / frequency;
            CircuitRatePerTick = (double)options.CircuitCreationRate / frequency;
            ConnectionDefenseTicks = (long)(options.ConnectionDefensePeriod.TotalSeconds * frequency);
            CircuitDefenseTicks = (long)(options.CircuitDefensePeriod.TotalSeconds * frequency);
            SweepTicks = (long)(options.SweepInterval.TotalSeconds * frequency);
        }

        public RelayLimitsOptions Options { get; }

        public double ConnectionRatePerTick { get; }

        public double CircuitRatePerTick { get; }

        public long ConnectionDefenseTicks { get; }

        public long CircuitDefenseTicks { get; }

        public long SweepTicks { get; }
    }

    /// <summary>One admitted connection, counted as concurrent until disposed (once).</summary>
    private sealed class ConnectionLease(AddressLimiter owner, AddressKey key) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(key);
            }
        }
    }
}

/// <summary>Why a connection or circuit was refused; <see cref="None"/> when admitted.</summary>
public enum AdmissionRefusal
{
    /// <summary>Admitted.</summary>
    None = 0,

    /// <summary>Too many concurrent connections from the address.</summary>
    TooManyConnections,

    /// <summary>Connections from the address came faster than the rate allows.</summary>
    ConnectionRate,

    /// <summary>Circuits from the address came faster than the rate allows.</summary>
    CircuitRate,

    /// <summary>The address is marked for a while after breaking a limit.</summary>
    Marked,

    /// <summary>The relay's memory limit is reached.</summary>
    MemoryLimit,

    /// <summary>
    /// The limiter tracks as many addresses as it may and every one of them holds a connection or a mark, so a new
    /// address cannot be counted (<see cref="RelayLimitsOptions.MaxTrackedAddresses"/>).
    /// </summary>
    TooManyAddresses,
}
