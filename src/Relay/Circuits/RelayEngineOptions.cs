using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// Options of the relay's circuit engine. Validated when the engine is created (and at start when registered with
/// <see cref="RelayEngineOptionsValidator"/> and <c>ValidateOnStart</c>); each failure names the option.
/// </summary>
public sealed class RelayEngineOptions
{
    /// <summary>Options of every link (see docs/network.md §8).</summary>
    public LinkOptions Link { get; set; } = new();

    /// <summary>Options of every circuit (see docs/network.md §8).</summary>
    public CircuitOptions Circuit { get; set; } = new();

    /// <summary>Most links open at once, in and out together; further connections are closed at once. Default 8,192; 1–1,000,000.</summary>
    public int MaxLinks { get; set; } = 8_192;

    /// <summary>
    /// How long an EXTEND2 may take: connecting to the next relay (if no link is open), its link handshake, and its
    /// CREATED2. Default 10 s; 100 ms – 2 min.
    /// </summary>
    public TimeSpan ExtendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A link to or from another relay that has carried no circuit for this long is closed by the link manager (a new
    /// EXTEND2 opens another). Default 15 min; 1 s – 1 day.
    /// </summary>
    public TimeSpan RelayLinkIdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>CREATE2 handshakes waiting for a worker; one more is refused with DESTROY(resource limit). Default 4,096; 1–1,000,000.</summary>
    public int HandshakeQueueCapacity { get; set; } = 4_096;

    /// <summary>
    /// A CREATE2 that waited longer than this for a worker is refused (the client has likely given up). Default
    /// 1,750 ms, as Tor; 10 ms – 1 min.
    /// </summary>
    public TimeSpan HandshakeMaxWait { get; set; } = TimeSpan.FromMilliseconds(1_750);

    /// <summary>Handshake workers; 0 (the default) means one per processor. 0–256.</summary>
    public int HandshakeWorkers { get; set; }

    /// <summary>
    /// A client link (or one from a relay the consensus does not list) is aborted when this many of its circuits have
    /// been closed for a protocol violation (an unrecognised cell, a forged SENDME, a command the relay refuses…);
    /// each such circuit is closed on its first violation regardless. Default 10 (TEST-MATRIX FL-01); 1–1,000.
    /// </summary>
    public int MaxCircuitViolationsPerLink { get; set; } = 10;

    /// <summary>
    /// At most one log line per kind of violation (and one for links aborted for violations) per this interval; the
    /// line says how many it stands for. Default 60 s; 1 s – 1 h.
    /// </summary>
    public TimeSpan ViolationLogInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Throws <see cref="OptionsValidationException"/> naming the first bad option.</summary>
    public void Validate()
    {
        var result = new RelayEngineOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(RelayEngineOptions), typeof(RelayEngineOptions), result.Failures);
        }
    }
}

/// <summary>Checks <see cref="RelayEngineOptions"/> (and the link and circuit options inside).</summary>
public sealed class RelayEngineOptionsValidator : IValidateOptions<RelayEngineOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, RelayEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Link is null)
        {
            failures.Add("RelayEngineOptions.Link is missing.");
        }
        else
        {
            var link = new LinkOptionsValidator().Validate(name, options.Link);
            if (link.Failed)
            {
                failures.AddRange(link.Failures);
            }
        }

        if (options.Circuit is null)
        {
            failures.Add("RelayEngineOptions.Circuit is missing.");
        }
        else
        {
            var circuit = new CircuitOptionsValidator().Validate(name, options.Circuit);
            if (circuit.Failed)
            {
                failures.AddRange(circuit.Failures);
            }
        }

        Range(failures, nameof(RelayEngineOptions.MaxLinks), options.MaxLinks, 1, 1_000_000);
        Range(failures, nameof(RelayEngineOptions.HandshakeQueueCapacity), options.HandshakeQueueCapacity, 1, 1_000_000);
        Range(failures, nameof(RelayEngineOptions.HandshakeWorkers), options.HandshakeWorkers, 0, 256);
        Range(failures, nameof(RelayEngineOptions.ExtendTimeout), options.ExtendTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(2));
        Range(failures, nameof(RelayEngineOptions.HandshakeMaxWait), options.HandshakeMaxWait, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        Range(failures, nameof(RelayEngineOptions.RelayLinkIdleTimeout), options.RelayLinkIdleTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Range(failures, nameof(RelayEngineOptions.MaxCircuitViolationsPerLink), options.MaxCircuitViolationsPerLink, 1, 1_000);
        Range(failures, nameof(RelayEngineOptions.ViolationLogInterval), options.ViolationLogInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string option, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"RelayEngineOptions.{option} is {value}; it must be between {min} and {max}.");
        }
    }

    private static void Range(List<string> failures, string option, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"RelayEngineOptions.{option} is {value}; it must be between {min} and {max}.");
        }
    }
}
