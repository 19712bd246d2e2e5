using HiddenPoint.Client.Diagnostics;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Paths;

/// <summary>The path rules that may be configured (section <c>Client:Paths</c>). The defaults are the only safe values on
/// a real network; a test network on one machine may turn the subnet rule off.</summary>
public sealed class PathOptions
{
    /// <summary>
    /// No two relays of a circuit in one IPv4 /16 or one IPv6 /32. Default true. Turn it off only for a test network
    /// whose relays all listen on one subnet (127.0.0.0/16); the local testnet gives each relay its own 127.N.0.1
    /// so that the rule holds there too.
    /// </summary>
    public bool EnforceDistinctSubnets { get; set; } = true;

    /// <summary>
    /// How long a relay that a circuit could not be extended to is passed over for vanguards, middle and last hops
    /// while another relay fits (<see cref="RecentlyUnreachableRelays"/>). Default 60 s: past the next consensus of a
    /// network that votes hourly it is usually gone from the list, and a relay that was only briefly cut off returns
    /// soon. Range 0 (never pass one over) to 1 h.
    /// </summary>
    public TimeSpan UnreachableAvoidance { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Throws <see cref="OptionsValidationException"/> when a value is out of range.</summary>
    public void Validate()
    {
        var result = new PathOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(PathOptions), typeof(PathOptions), result.Failures);
        }
    }
}

/// <summary>Checks <see cref="PathOptions"/>.</summary>
public sealed class PathOptionsValidator : IValidateOptions<PathOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, PathOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        OptionRange.Check(failures, nameof(PathOptions.UnreachableAvoidance), options.UnreachableAvoidance, TimeSpan.Zero, TimeSpan.FromHours(1));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
