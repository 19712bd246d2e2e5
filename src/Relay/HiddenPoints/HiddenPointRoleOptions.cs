using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.HiddenPoints;

/// <summary>
/// Limits of the hidden-point roles: the introduction point's rate limit, the rendezvous point's timers and the
/// directory streams' bounds (streams per circuit, upload timeout, upload rates, bytes of uploads in flight). Checked by <see cref="HiddenPointRoleOptionsValidator"/> at start.
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
    /// Directory streams per second one circuit may open, after its burst (a token bucket per circuit; Tor's
    /// <c>DoSStreamCreationRate</c>, TEST-MATRIX FL-05); a stream over it is ended with END(ResourceLimit) and the circuit
    /// kept. Default 100; range 1 to 10,000.
    /// </summary>
    public int DirectoryStreamOpenRatePerCircuit { get; set; } = 100;

    /// <summary>
    /// Directory streams one circuit may open at once before the rate applies. Default 100; range 1 to 100,000, at
    /// least <see cref="DirectoryStreamOpenRatePerCircuit"/>.
    /// </summary>
    public int DirectoryStreamOpenBurstPerCircuit { get; set; } = 100;

    /// <summary>
    /// How long a DESCRIPTOR_STORE stream may take to deliver its declared bytes. Default 60 seconds; range 1 second
    /// to 10 minutes.
    /// </summary>
    public TimeSpan DescriptorUploadTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Descriptor uploads per second one circuit may start, after its burst (a token bucket per circuit: the HSDir
    /// sees circuits, not the addresses behind them). Default 1; range 1 to 1,000.
    /// </summary>
    public int DescriptorUploadRatePerCircuit { get; set; } = 1;

    /// <summary>
    /// Descriptor uploads one circuit may start at once. Default 8 (a host's two descriptors for a few hidden points);
    /// range 1 to 10,000, at least <see cref="DescriptorUploadRatePerCircuit"/>.
    /// </summary>
    public int DescriptorUploadBurstPerCircuit { get; set; } = 8;

    /// <summary>
    /// Descriptor uploads per second all circuits together may start, after the burst: bounds the parsing and
    /// signature checks a flood over many circuits can cost. Default 20; range 1 to 100,000.
    /// </summary>
    public int DescriptorUploadRate { get; set; } = 20;

    /// <summary>
    /// Descriptor uploads all circuits together may start at once. Default 200; range 1 to 1,000,000, at least
    /// <see cref="DescriptorUploadRate"/>.
    /// </summary>
    public int DescriptorUploadBurst { get; set; } = 200;

    /// <summary>
    /// The most bytes descriptor uploads still arriving may hold, all circuits together (each also counts against the
    /// relay's memory limit). An upload that would pass it is answered Unavailable. Default 8 MiB (160 uploads of the
    /// largest size); range 64 KiB to 1 GiB.
    /// </summary>
    public long MaxPendingUploadBytes { get; set; } = 8L * 1024 * 1024;
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
        Range(failures, nameof(options.DirectoryStreamOpenRatePerCircuit), options.DirectoryStreamOpenRatePerCircuit, 1, 10_000);
        Range(failures, nameof(options.DirectoryStreamOpenBurstPerCircuit), options.DirectoryStreamOpenBurstPerCircuit, 1, 100_000);
        if (options.DirectoryStreamOpenBurstPerCircuit < options.DirectoryStreamOpenRatePerCircuit)
        {
            failures.Add($"HiddenPointRoleOptions.DirectoryStreamOpenBurstPerCircuit is {options.DirectoryStreamOpenBurstPerCircuit}; it must be at least DirectoryStreamOpenRatePerCircuit ({options.DirectoryStreamOpenRatePerCircuit}).");
        }

        Range(failures, nameof(options.DescriptorUploadTimeout), options.DescriptorUploadTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Range(failures, nameof(options.DescriptorUploadRatePerCircuit), options.DescriptorUploadRatePerCircuit, 1, 1_000);
        Range(failures, nameof(options.DescriptorUploadBurstPerCircuit), options.DescriptorUploadBurstPerCircuit, 1, 10_000);
        if (options.DescriptorUploadBurstPerCircuit < options.DescriptorUploadRatePerCircuit)
        {
            failures.Add($"HiddenPointRoleOptions.DescriptorUploadBurstPerCircuit is {options.DescriptorUploadBurstPerCircuit}; it must be at least DescriptorUploadRatePerCircuit ({options.DescriptorUploadRatePerCircuit}).");
        }

        Range(failures, nameof(options.DescriptorUploadRate), options.DescriptorUploadRate, 1, 100_000);
        Range(failures, nameof(options.DescriptorUploadBurst), options.DescriptorUploadBurst, 1, 1_000_000);
        if (options.DescriptorUploadBurst < options.DescriptorUploadRate)
        {
            failures.Add($"HiddenPointRoleOptions.DescriptorUploadBurst is {options.DescriptorUploadBurst}; it must be at least DescriptorUploadRate ({options.DescriptorUploadRate}).");
        }

        Range(failures, nameof(options.MaxPendingUploadBytes), options.MaxPendingUploadBytes, 64L * 1024, 1L << 30);
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
