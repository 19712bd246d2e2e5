using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Limits;

/// <summary>
/// The relay's denial-of-service limits per source address (Tor's <c>DoS*</c> defences, dos-spec) and its memory
/// limit (Tor's <c>MaxMemInQueues</c>). Defaults are Tor's. Every per-address limit can also be set by the consensus
/// (<see cref="WithNetworkParameters"/>), so the authorities can tune them during an attack. Checked by
/// <see cref="RelayLimitsOptionsValidator"/>.
/// </summary>
public sealed class RelayLimitsOptions
{
    /// <summary>Whether connections are limited per address. Default true. Consensus: DoSConnectionEnabled.</summary>
    public bool ConnectionLimitsEnabled { get; set; } = true;

    /// <summary>
    /// Concurrent connections one address may hold; the next is refused (not marked). Default 100; range 1 to 100,000.
    /// Consensus: DoSConnectionMaxConcurrentCount.
    /// </summary>
    public int MaxConcurrentConnections { get; set; } = 100;

    /// <summary>New connections per second per address, after the burst. Default 20; range 1 to 10,000. Consensus: DoSConnectionConnectRate.</summary>
    public int ConnectionRate { get; set; } = 20;

    /// <summary>New connections per address at once. Default 40; range 1 to 1,000,000. Consensus: DoSConnectionConnectBurst.</summary>
    public int ConnectionBurst { get; set; } = 40;

    /// <summary>
    /// How long an address that broke the connection rate has its new connections refused. Default
    /// 24 h; range 1 s to 7 days. Consensus: DoSConnectionDefensePeriod (seconds).
    /// </summary>
    public TimeSpan ConnectionDefensePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Whether circuit creation is limited per address. Default true. Consensus: DoSCircuitCreationEnabled.</summary>
    public bool CircuitLimitsEnabled { get; set; } = true;

    /// <summary>CREATE2 per second per address, after the burst. Default 3; range 1 to 10,000. Consensus: DoSCircuitCreationRate.</summary>
    public int CircuitCreationRate { get; set; } = 3;

    /// <summary>CREATE2 per address at once. Default 90; range 1 to 1,000,000. Consensus: DoSCircuitCreationBurst.</summary>
    public int CircuitCreationBurst { get; set; } = 90;

    /// <summary>
    /// Concurrent connections an address must hold for an empty circuit bucket to mark it (Tor's rule: a client with
    /// few connections is more likely behind a shared address than attacking). Below it, CREATE2 beyond the rate is
    /// still refused, but the address is not marked. Default 3; range 1 to 10,000.
    /// Consensus: DoSCircuitCreationMinConnections.
    /// </summary>
    public int CircuitCreationMinConnections { get; set; } = 3;

    /// <summary>
    /// How long an address that broke the circuit rate has its CREATE2 refused. Default 1 h; range 1 s to 7 days.
    /// Consensus: DoSCircuitCreationDefensePeriod (seconds).
    /// </summary>
    public TimeSpan CircuitDefensePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// IPv6 addresses are counted per prefix of this many bits: one customer usually holds a whole /64, so counting
    /// exact addresses would let one attacker appear as 2^64 clients. Default 64; range 32 to 128 (128 = exact).
    /// IPv4 addresses (and IPv4-mapped IPv6 ones) are always exact.
    /// </summary>
    public int Ipv6PrefixLength { get; set; } = 64;

    /// <summary>
    /// The most addresses tracked at once. When the table is full, idle entries are swept first, then entries with no
    /// connection and no mark are evicted; an address that finds the table full of connected or marked addresses is
    /// refused. Default 262,144 (about 25 MB); range 1,024 to 16,777,216.
    /// </summary>
    public int MaxTrackedAddresses { get; set; } = 262_144;

    /// <summary>How often each part of the address table forgets idle addresses. Default 60 s; range 1 s to 1 h.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The memory limit in bytes (Tor's MaxMemInQueues): queued cells plus caches. Above it the relay trims caches and
    /// closes the circuits with the oldest queued data. Default 256 MiB; range 1 MiB to 1 TiB. 0 means 40 % of the
    /// memory available to the process (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>, which honours a
    /// container's limit), at least 64 MiB.
    /// </summary>
    public long MemoryLimit { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// The share of <see cref="MemoryLimit"/> caches may claim; above it a cache claim is refused, and when the limit
    /// is reached caches are trimmed to <see cref="CacheTrimPercent"/>. Default 20; range 1 to 90 (percent).
    /// </summary>
    public int CacheSharePercent { get; set; } = 20;

    /// <summary>What caches are trimmed to, in percent of <see cref="MemoryLimit"/>. Default 10; range 0 to <see cref="CacheSharePercent"/>.</summary>
    public int CacheTrimPercent { get; set; } = 10;

    /// <summary>How often the memory limit is checked. Default 250 ms; range 10 ms to 1 s (a breach is handled within 1 s).</summary>
    public TimeSpan MemoryCheckInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The limit in bytes after resolving 0 (automatic).</summary>
    public long EffectiveMemoryLimit =>
        MemoryLimit != 0 ? MemoryLimit : Math.Max(64L * 1024 * 1024, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 2 / 5);

    /// <summary>
    /// A copy with every per-address limit the consensus sets taken from <paramref name="parameters"/> (clamped to the
    /// parameter's range); limits it leaves unset keep this configuration's value.
    /// </summary>
    public RelayLimitsOptions WithNetworkParameters(NetworkParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var copy = (RelayLimitsOptions)MemberwiseClone();
        copy.ConnectionLimitsEnabled = Flag(parameters, NetworkParameter.DoSConnectionEnabled, ConnectionLimitsEnabled);
        copy.MaxConcurrentConnections = Value(parameters, NetworkParameter.DoSConnectionMaxConcurrentCount, MaxConcurrentConnections);
        copy.ConnectionRate = Value(parameters, NetworkParameter.DoSConnectionConnectRate, ConnectionRate);
        copy.ConnectionBurst = Value(parameters, NetworkParameter.DoSConnectionConnectBurst, ConnectionBurst);
        copy.ConnectionDefensePeriod = Seconds(parameters, NetworkParameter.DoSConnectionDefensePeriod, ConnectionDefensePeriod);
        copy.CircuitLimitsEnabled = Flag(parameters, NetworkParameter.DoSCircuitCreationEnabled, CircuitLimitsEnabled);
        copy.CircuitCreationRate = Value(parameters, NetworkParameter.DoSCircuitCreationRate, CircuitCreationRate);
        copy.CircuitCreationBurst = Value(parameters, NetworkParameter.DoSCircuitCreationBurst, CircuitCreationBurst);
        copy.CircuitCreationMinConnections = Value(parameters, NetworkParameter.DoSCircuitCreationMinConnections, CircuitCreationMinConnections);
        copy.CircuitDefensePeriod = Seconds(parameters, NetworkParameter.DoSCircuitCreationDefensePeriod, CircuitDefensePeriod);
        return copy;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> naming every value out of range.</summary>
    public void Validate()
    {
        var result = new RelayLimitsOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(RelayLimitsOptions), typeof(RelayLimitsOptions), result.Failures);
        }
    }

    private static int Value(NetworkParameters parameters, NetworkParameter parameter, int configured) =>
        parameter.IsSetIn(parameters) ? parameters.Get(parameter) : configured;

    private static bool Flag(NetworkParameters parameters, NetworkParameter parameter, bool configured) =>
        parameter.IsSetIn(parameters) ? parameters.Get(parameter) != 0 : configured;

    private static TimeSpan Seconds(NetworkParameters parameters, NetworkParameter parameter, TimeSpan configured) =>
        parameter.IsSetIn(parameters) ? TimeSpan.FromSeconds(parameters.Get(parameter)) : configured;
}

/// <summary>Checks <see cref="RelayLimitsOptions"/>; each message names the option to change.</summary>
public sealed class RelayLimitsOptionsValidator : IValidateOptions<RelayLimitsOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, RelayLimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Range(failures, nameof(RelayLimitsOptions.MaxConcurrentConnections), options.MaxConcurrentConnections, 1, 100_000);
        Range(failures, nameof(RelayLimitsOptions.ConnectionRate), options.ConnectionRate, 1, 10_000);
        Range(failures, nameof(RelayLimitsOptions.ConnectionBurst), options.ConnectionBurst, 1, 1_000_000);
        Range(failures, nameof(RelayLimitsOptions.ConnectionDefensePeriod), options.ConnectionDefensePeriod, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));
        Range(failures, nameof(RelayLimitsOptions.CircuitCreationRate), options.CircuitCreationRate, 1, 10_000);
        Range(failures, nameof(RelayLimitsOptions.CircuitCreationBurst), options.CircuitCreationBurst, 1, 1_000_000);
        Range(failures, nameof(RelayLimitsOptions.CircuitCreationMinConnections), options.CircuitCreationMinConnections, 1, 10_000);
        Range(failures, nameof(RelayLimitsOptions.CircuitDefensePeriod), options.CircuitDefensePeriod, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));
        Range(failures, nameof(RelayLimitsOptions.Ipv6PrefixLength), options.Ipv6PrefixLength, 32, 128);
        Range(failures, nameof(RelayLimitsOptions.MaxTrackedAddresses), options.MaxTrackedAddresses, 1_024, 16_777_216);
        Range(failures, nameof(RelayLimitsOptions.SweepInterval), options.SweepInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        if (options.MemoryLimit != 0 && (options.MemoryLimit < 1L << 20 || options.MemoryLimit > 1L << 40))
        {
            failures.Add($"RelayLimitsOptions.{nameof(RelayLimitsOptions.MemoryLimit)} is {options.MemoryLimit}; it must be 0 (automatic) or between {1L << 20} and {1L << 40}.");
        }

        Range(failures, nameof(RelayLimitsOptions.CacheSharePercent), options.CacheSharePercent, 1, 90);
        Range(failures, nameof(RelayLimitsOptions.CacheTrimPercent), options.CacheTrimPercent, 0, Math.Max(0, options.CacheSharePercent));
        Range(failures, nameof(RelayLimitsOptions.MemoryCheckInterval), options.MemoryCheckInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"RelayLimitsOptions.{name} is {value}; it must be between {min} and {max}.");
        }
    }

    private static void Range(List<string> failures, string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"RelayLimitsOptions.{name} is {value}; it must be between {min} and {max}.");
        }
    }
}
