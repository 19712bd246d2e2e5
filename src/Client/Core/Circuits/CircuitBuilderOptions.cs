using HiddenPoint.Client.Diagnostics;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Circuits;

/// <summary>
/// How circuits are built (section <c>Client:Circuits</c>; docs/client.md §3): the learned build timeout, retries, and
/// the pool of pre-built circuits.
/// </summary>
public sealed class CircuitBuilderOptions
{
    /// <summary>The build timeout used until <see cref="BuildTimeoutMinSamples"/> builds have been timed. Default 60 s;
    /// range <see cref="BuildTimeoutMin"/> to <see cref="BuildTimeoutMax"/>.</summary>
    public TimeSpan BuildTimeoutInitial { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The learned timeout is never shorter than this. Default 1 s; range 10 ms to 10 min.</summary>
    public TimeSpan BuildTimeoutMin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The learned timeout is never longer than this. Default 60 s; range <see cref="BuildTimeoutMin"/> to 10 min.</summary>
    public TimeSpan BuildTimeoutMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The quantile of recent build times the learned timeout is set at (Tor's CBT uses 0.8). Default 0.8;
    /// range 0.5 to 0.99.</summary>
    public double BuildTimeoutQuantile { get; set; } = 0.8;

    /// <summary>How many timed builds are needed before the timeout is learned. Default 20; range 1 to
    /// <see cref="BuildTimeoutWindow"/>.</summary>
    public int BuildTimeoutMinSamples { get; set; } = 20;

    /// <summary>How many of the most recent build times are kept. Default 100; range 1 to 10,000.</summary>
    public int BuildTimeoutWindow { get; set; } = 100;

    /// <summary>How many paths one request tries before it fails. Default 3; range 1 to 10.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How many pre-built circuits are kept ready for each pooled shape (general: guard · middle · last;
    /// hidden-point: guard · vanguard · last). 0 turns the pool off. Default 2; range 0 to 32.</summary>
    public int PoolSize { get; set; } = 2;

    /// <summary>A pooled circuit older than this is closed and replaced rather than handed out (Tor's
    /// MaxCircuitDirtiness for unused circuits). Default 10 min; range 1 s to 1 day.</summary>
    public TimeSpan PooledCircuitMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the pool is checked for closed or old circuits even when nothing was taken. Default 5 s;
    /// range 10 ms to 10 min.</summary>
    public TimeSpan PoolCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After a failed refill the pool waits this long, doubling with each failure in a row up to 1 min. Default
    /// 1 s; range 10 ms to 1 min.</summary>
    public TimeSpan PoolRetryInitial { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Path bias: a guard's success rate is judged once this many circuits got past it (Tor's pb_mincircs).
    /// Default 150; range 10 to 10,000.</summary>
    public int PathBiasMinCircuits { get; set; } = 150;

    /// <summary>Path bias: below this share of completed circuits a guard is noted (Information). Default 0.70 (Tor's
    /// pb_noticepct); range <see cref="PathBiasWarnRate"/> to 1.</summary>
    public double PathBiasNoticeRate { get; set; } = 0.70;

    /// <summary>Path bias: below this share the user is warned (Warning). Default 0.50 (pb_warnpct); range
    /// <see cref="PathBiasExtremeRate"/> to <see cref="PathBiasNoticeRate"/>.</summary>
    public double PathBiasWarnRate { get; set; } = 0.50;

    /// <summary>Path bias: below this share the guard is most likely attacking its circuits (Error). Default 0.30
    /// (pb_extremepct); range 0 to <see cref="PathBiasWarnRate"/>.</summary>
    public double PathBiasExtremeRate { get; set; } = 0.30;

    /// <summary>Path bias: when a guard's count of circuits reaches this, both its counts are halved, so that the rate
    /// follows what the guard does now (pb_scalecircs). Default 300; range 2 × <see cref="PathBiasMinCircuits"/> to
    /// 100,000.</summary>
    public int PathBiasScaleCircuits { get; set; } = 300;

    /// <summary>Throws <see cref="OptionsValidationException"/> when a value is out of range.</summary>
    public void Validate()
    {
        var result = new CircuitBuilderOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(CircuitBuilderOptions), typeof(CircuitBuilderOptions), result.Failures);
        }
    }
}

/// <summary>Checks <see cref="CircuitBuilderOptions"/>; each message names the option to change.</summary>
public sealed class CircuitBuilderOptionsValidator : IValidateOptions<CircuitBuilderOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, CircuitBuilderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        OptionRange.Check(failures, nameof(options.BuildTimeoutMin), options.BuildTimeoutMin, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        OptionRange.Check(failures, nameof(options.BuildTimeoutMax), options.BuildTimeoutMax, options.BuildTimeoutMin, TimeSpan.FromMinutes(10));
        OptionRange.Check(failures, nameof(options.BuildTimeoutInitial), options.BuildTimeoutInitial, options.BuildTimeoutMin, options.BuildTimeoutMax);
        OptionRange.Check(failures, nameof(options.BuildTimeoutQuantile), options.BuildTimeoutQuantile, 0.5, 0.99);
        OptionRange.Check(failures, nameof(options.BuildTimeoutWindow), options.BuildTimeoutWindow, 1, 10_000);
        OptionRange.Check(failures, nameof(options.BuildTimeoutMinSamples), options.BuildTimeoutMinSamples, 1, Math.Max(1, options.BuildTimeoutWindow));
        OptionRange.Check(failures, nameof(options.MaxAttempts), options.MaxAttempts, 1, 10);
        OptionRange.Check(failures, nameof(options.PoolSize), options.PoolSize, 0, 32);
        OptionRange.Check(failures, nameof(options.PooledCircuitMaxAge), options.PooledCircuitMaxAge, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        OptionRange.Check(failures, nameof(options.PoolCheckInterval), options.PoolCheckInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        OptionRange.Check(failures, nameof(options.PoolRetryInitial), options.PoolRetryInitial, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        OptionRange.Check(failures, nameof(options.PathBiasMinCircuits), options.PathBiasMinCircuits, 10, 10_000);
        OptionRange.Check(failures, nameof(options.PathBiasScaleCircuits), options.PathBiasScaleCircuits, 2 * options.PathBiasMinCircuits, 100_000);
        OptionRange.Check(failures, nameof(options.PathBiasExtremeRate), options.PathBiasExtremeRate, 0, 1);
        OptionRange.Check(failures, nameof(options.PathBiasWarnRate), options.PathBiasWarnRate, options.PathBiasExtremeRate, 1);
        OptionRange.Check(failures, nameof(options.PathBiasNoticeRate), options.PathBiasNoticeRate, options.PathBiasWarnRate, 1);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
