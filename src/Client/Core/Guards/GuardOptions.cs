using HiddenPoint.Client.Diagnostics;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Guards;

/// <summary>
/// The guard and vanguard sets (section <c>Client:Guards</c>; docs/client.md §2). Defaults follow Tor's guard-spec and
/// vanguards-lite (proposal 333) where they exist; the retry schedule is shorter, because a client has only a few
/// guards and a lone failure should not keep a primary guard out for long.
/// </summary>
public sealed class GuardOptions
{
    /// <summary>How many guards the sample holds at most. Default 60; range 1 to 1,000.</summary>
    public int MaxSampleSize { get; set; } = 60;

    /// <summary>The sample is grown (by bandwidth-weighted draws of Guard relays) until it holds this many guards
    /// listed as usable, or the network has no more. Default 20; range 1 to <see cref="MaxSampleSize"/>.</summary>
    public int MinUsableSample { get; set; } = 20;

    /// <summary>How many primary guards circuits are built through, in order. Default 3; range 1 to 10.</summary>
    public int PrimaryGuards { get; set; } = 3;

    /// <summary>A sampled guard is dropped this long after it was added, whatever happens (guard rotation). Default
    /// 120 days; range 1 hour to 3 years.</summary>
    public TimeSpan GuardLifetime { get; set; } = TimeSpan.FromDays(120);

    /// <summary>A sampled guard missing from the consensus (or no longer usable) is dropped after this long. Default
    /// 20 days; range 0 to 1 year.</summary>
    public TimeSpan RemoveUnlistedAfter { get; set; } = TimeSpan.FromDays(20);

    /// <summary>How long a guard whose circuit failed is skipped after its first failure; each further failure in a row
    /// doubles it, up to <see cref="RetryMax"/>. Default 10 s; range 100 ms to 1 day.</summary>
    public TimeSpan RetryInitial { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest a failing guard is skipped before it is tried again. Default 1 hour; range
    /// <see cref="RetryInitial"/> to 7 days.</summary>
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many layer-2 vanguards hidden-point circuits use (proposal 333). Default 4; range 1 to 19.</summary>
    public int Vanguards { get; set; } = 4;

    /// <summary>The shortest life of a vanguard. Default 1 day; range 1 minute to 1 year.</summary>
    public TimeSpan VanguardLifetimeMin { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The longest life of a vanguard; each vanguard lives max(X, Y) for X, Y uniform between the two bounds
    /// (proposal 333), about 8.3 days on average with the defaults. Default 12 days; range
    /// <see cref="VanguardLifetimeMin"/> to 1 year.</summary>
    public TimeSpan VanguardLifetimeMax { get; set; } = TimeSpan.FromDays(12);

    /// <summary>Throws <see cref="OptionsValidationException"/> when a value is out of range.</summary>
    public void Validate()
    {
        var result = new GuardOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(GuardOptions), typeof(GuardOptions), result.Failures);
        }
    }
}

/// <summary>Checks <see cref="GuardOptions"/>; each message names the option to change.</summary>
public sealed class GuardOptionsValidator : IValidateOptions<GuardOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, GuardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        OptionRange.Check(failures, nameof(GuardOptions.MaxSampleSize), options.MaxSampleSize, 1, 1_000);
        OptionRange.Check(failures, nameof(GuardOptions.MinUsableSample), options.MinUsableSample, 1, Math.Max(1, options.MaxSampleSize));
        OptionRange.Check(failures, nameof(GuardOptions.PrimaryGuards), options.PrimaryGuards, 1, 10);
        OptionRange.Check(failures, nameof(GuardOptions.GuardLifetime), options.GuardLifetime, TimeSpan.FromHours(1), TimeSpan.FromDays(3 * 365));
        OptionRange.Check(failures, nameof(GuardOptions.RemoveUnlistedAfter), options.RemoveUnlistedAfter, TimeSpan.Zero, TimeSpan.FromDays(365));
        OptionRange.Check(failures, nameof(GuardOptions.RetryInitial), options.RetryInitial, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1));
        OptionRange.Check(failures, nameof(GuardOptions.RetryMax), options.RetryMax, options.RetryInitial, TimeSpan.FromDays(7));
        OptionRange.Check(failures, nameof(GuardOptions.Vanguards), options.Vanguards, 1, 19);
        OptionRange.Check(failures, nameof(GuardOptions.VanguardLifetimeMin), options.VanguardLifetimeMin, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365));
        OptionRange.Check(failures, nameof(GuardOptions.VanguardLifetimeMax), options.VanguardLifetimeMax, options.VanguardLifetimeMin, TimeSpan.FromDays(365));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
