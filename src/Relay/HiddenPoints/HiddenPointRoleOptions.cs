using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.HiddenPoints;

/// <summary>
/// Limits of the hidden-point roles: the introduction point's rate limit, the rendezvous point's timers and the
/// directory streams' bounds. Checked by <see cref="HiddenPointRoleOptionsValidator"/> at start.
/// </summary>
public sealed class HiddenPointRoleOptions
{
    /// <summary>
    /// INTRODUCE2 messages per second that one introduction circuit may receive (the token bucket's rate). Default 25
    /// (Tor's HiddenServiceEnableIntroDoSRatePerSec); range 1 to 100,000.
    /// </summary>
    public int IntroduceRatePerSecond { get; set; } = 25;

    /// <summary>
    /// The token bucket's depth: INTRODUCE2 messages one introduction circuit may receive in a burst. Default 200 (Tor's
    /// HiddenServiceEnableIntroDoSBurstPerSec); range 1 to 1,000,000, at least <see cref="IntroduceRatePerSecond"/>.
    /// </summary>
    public int IntroduceBurst { get; set; } = 200;

    /// <summary>
    /// How long a circuit may wait at the rendezvous point for the host's RENDEZVOUS1 before it is closed. Default
    /// 2 minutes; range 1 second to 10 minutes.
    /// </summary>
    public TimeSpan RendezvousWaitTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a rendezvous cookie is remembered after ESTABLISH_RENDEZVOUS, so that the same cookie is refused
    /// (Tor's 5 minutes). Default 5 minutes; range 1 minute to 1 hour, at least <see cref="RendezvousWaitTimeout"/>.
    /// </summary>
    public TimeSpan CookieReplayWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The most cookies remembered at once. Each is remembered for its whole <see cref="CookieReplayWindow"/> whatever
    /// follows it; when this many are remembered, new ESTABLISH_RENDEZVOUS are refused (the client picks another
    /// rendezvous point) until the oldest leave their window. Default 100,000 (a 64-bit fingerprint each, about
    /// 2 MB at most); range 1,000 to 10,000,000.
    /// </summary>
    public int MaxRememberedCookies { get; set; } = 100_000;

    /// <summary>Directory streams open at once on one circuit. Default 8; range 1 to 256.</summary>
    public int MaxDirectoryStreamsPerCircuit { get; set; } = 8;

    /// <summary>
    /// How long a DESCRIPTOR_STORE stream may take to deliver its declared bytes. Default 60 seconds; range 1 second
    /// to 10 minutes.
    /// </summary>
    public TimeSpan DescriptorUploadTimeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>Checks <see cref="HiddenPointRoleOptions"/>; each failure names the option and its range.</summary>
public sealed class HiddenPointRoleOptionsValidator : IValidateOptions<HiddenPointRoleOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, HiddenPointRoleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Range(failures, nameof(options.IntroduceRatePerSecond), options.IntroduceRatePerSecond, 1, 100_000);
        Range(failures, nameof(options.IntroduceBurst), options.IntroduceBurst, 1, 1_000_000);
        if (options.IntroduceBurst < options.IntroduceRatePerSecond)
        {
            failures.Add($"HiddenPointRoleOptions.IntroduceBurst is {options.IntroduceBurst}; it must be at least IntroduceRatePerSecond ({options.IntroduceRatePerSecond}).");
        }

        Range(failures, nameof(options.RendezvousWaitTimeout), options.RendezvousWaitTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Range(failures, nameof(options.CookieReplayWindow), options.CookieReplayWindow, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
        if (options.CookieReplayWindow < options.RendezvousWaitTimeout)
        {
            failures.Add($"HiddenPointRoleOptions.CookieReplayWindow is {options.CookieReplayWindow}; it must be at least RendezvousWaitTimeout ({options.RendezvousWaitTimeout}).");
        }

        Range(failures, nameof(options.MaxRememberedCookies), options.MaxRememberedCookies, 1_000, 10_000_000);
        Range(failures, nameof(options.MaxDirectoryStreamsPerCircuit), options.MaxDirectoryStreamsPerCircuit, 1, 256);
        Range(failures, nameof(options.DescriptorUploadTimeout), options.DescriptorUploadTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Validates and returns <paramref name="options"/>, throwing <see cref="OptionsValidationException"/> when invalid.</summary>
    internal static HiddenPointRoleOptions Checked(HiddenPointRoleOptions options)
    {
        var result = new HiddenPointRoleOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(HiddenPointRoleOptions), typeof(HiddenPointRoleOptions), result.Failures);
        }

        return options;
    }

    private static void Range<T>(List<string> failures, string option, T value, T min, T max)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            failures.Add($"HiddenPointRoleOptions.{option} is {value}; it must be between {min} and {max}.");
        }
    }
}
