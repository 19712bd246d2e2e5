using Microsoft.Extensions.Options;

namespace HiddenPoint.Network.Links;

/// <summary>
/// Limits and timers of a <see cref="LinkManager"/>. <see cref="LinkManagerOptionsValidator"/> checks the ranges at
/// start (register it with <c>ValidateOnStart</c>), and the manager checks them again when it is created.
/// </summary>
public sealed class LinkManagerOptions
{
    /// <summary>
    /// The most links the manager holds at once: open links it launched or was given (<see cref="LinkManager.Register"/>)
    /// and launches in flight. One more launch fails with <see cref="LinkLaunchFailure.TooManyLinks"/>. Default 1,024;
    /// range 1 to 1,000,000.
    /// </summary>
    public int MaxLinks { get; set; } = 1_024;

    /// <summary>
    /// The longest one launch may take, from the first dial to the end of the link handshake, over every endpoint of
    /// the target. Default 10 s; range 100 ms to 2 min.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A held link that has carried no circuit (and was not handed out) for this long is closed. Checked every quarter
    /// of it, so such a link closes between this and 1.25 times this after it fell idle. Default 3 min; range 1 s to
    /// 1 day.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Throws <see cref="OptionsValidationException"/> when a value is out of range.</summary>
    public void Validate()
    {
        var result = new LinkManagerOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(LinkManagerOptions), typeof(LinkManagerOptions), result.Failures);
        }
    }
}

/// <summary>Checks <see cref="LinkManagerOptions"/>; each message names the option to change.</summary>
public sealed class LinkManagerOptionsValidator : IValidateOptions<LinkManagerOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, LinkManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Range(failures, nameof(LinkManagerOptions.MaxLinks), options.MaxLinks, 1, 1_000_000);
        Range(failures, nameof(LinkManagerOptions.ConnectTimeout), options.ConnectTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(2));
        Range(failures, nameof(LinkManagerOptions.IdleTimeout), options.IdleTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range<T>(List<string> failures, string option, T value, T min, T max)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            failures.Add($"LinkManagerOptions.{option} is {value}; it must be between {min} and {max}.");
        }
    }
}
