using HiddenPoint.Client.HiddenPoints;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Connecting;

/// <summary>
/// Time limits and retries of a connect to a hidden point (docs/client.md §5). Every step is bounded, and
/// the whole connect by <see cref="ConnectTimeout"/>, so a connect always ends, with a connection or a
/// <see cref="ConnectException"/>. <see cref="ConnectOptionsValidator"/> checks the ranges.
/// </summary>
public sealed class ConnectOptions
{
    /// <summary>The most a whole connect may take. Default 60 s; range 1 s to 10 min.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The most one descriptor fetch from one HSDir may take, circuit included. Default 15 s; range 100 ms to 5 min.</summary>
    public TimeSpan DescriptorFetchTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>HSDirs asked for the descriptor, one after another, before giving up. Default 6 (all of 2 replicas × 3); range 1 to 32.</summary>
    public int MaxDescriptorFetchAttempts { get; set; } = 6;

    /// <summary>
    /// The most getting the rendezvous circuit and its RENDEZVOUS_ESTABLISHED may take. Default 15 s; range 100 ms to
    /// 5 min.
    /// </summary>
    public TimeSpan RendezvousSetupTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Rendezvous points tried before giving up. Default 2; range 1 to 8.</summary>
    public int MaxRendezvousPointAttempts { get; set; } = 2;

    /// <summary>
    /// The most one introduction may take: the circuit to the introduction point, INTRODUCE1 and its INTRODUCE_ACK.
    /// Default 15 s; range 100 ms to 5 min.
    /// </summary>
    public TimeSpan IntroductionTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// After an introduction point acknowledged INTRODUCE1, the most the host may take to answer at the rendezvous
    /// point (RENDEZVOUS2). Default 20 s; range 100 ms to 5 min.
    /// </summary>
    public TimeSpan RendezvousTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Throws <see cref="OptionsValidationException"/> naming every option out of range.</summary>
    public void Validate()
    {
        var result = new ConnectOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(ConnectOptions), typeof(ConnectOptions), result.Failures);
        }
    }
}

/// <summary>Checks <see cref="ConnectOptions"/>; each message names the option to change.</summary>
public sealed class ConnectOptionsValidator : IValidateOptions<ConnectOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ConnectOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string O = nameof(ConnectOptions);
        var failures = new List<string>();
        var step = (Min: TimeSpan.FromMilliseconds(100), Max: TimeSpan.FromMinutes(5));
        OptionRanges.Check(failures, O, nameof(options.ConnectTimeout), options.ConnectTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        OptionRanges.Check(failures, O, nameof(options.DescriptorFetchTimeout), options.DescriptorFetchTimeout, step.Min, step.Max);
        OptionRanges.Check(failures, O, nameof(options.MaxDescriptorFetchAttempts), options.MaxDescriptorFetchAttempts, 1, 32);
        OptionRanges.Check(failures, O, nameof(options.RendezvousSetupTimeout), options.RendezvousSetupTimeout, step.Min, step.Max);
        OptionRanges.Check(failures, O, nameof(options.MaxRendezvousPointAttempts), options.MaxRendezvousPointAttempts, 1, 8);
        OptionRanges.Check(failures, O, nameof(options.IntroductionTimeout), options.IntroductionTimeout, step.Min, step.Max);
        OptionRanges.Check(failures, O, nameof(options.RendezvousTimeout), options.RendezvousTimeout, step.Min, step.Max);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
