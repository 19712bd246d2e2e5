using HiddenPoint.Client.Messaging.Protocol;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>
/// How conversations send, retry, rotate and take contact requests (docs/messaging.md). <see cref="MessagingOptionsValidator"/>
/// checks the ranges at start, and the engine checks them again when it is created.
/// </summary>
public sealed class MessagingOptions
{
    /// <summary>
    /// The most messages written and not yet acknowledged, per conversation: throughput is a window per round trip,
    /// not one message. Default 64; range 1 to 4,096.
    /// </summary>
    public int WindowSize { get; set; } = 64;

    /// <summary>
    /// Messages from the contact held in memory while an earlier one is missing (out of order across two connections
    /// during rotation). One further ahead is dropped and comes again. Default 256; range 1 to 65,536.
    /// </summary>
    public int MaxHeldOutOfOrder { get; set; } = 256;

    /// <summary>
    /// Rotation every N messages sent: after N messages on a connection, the next goes on a new one (1: a new
    /// connection for every message). 0 turns it off. Default 0; range 0 to 1,000,000.
    /// </summary>
    public int RotateEveryMessages { get; set; }

    /// <summary>
    /// Rotation on a schedule: a connection that has been current this long is replaced. Zero turns it off. Default
    /// 10 min; range 0, or 1 s to 1 day.
    /// </summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a replaced connection stays open, still delivering, after its successor is open. Default 10 s; range 0
    /// to 5 min.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest the Hello exchange may take on a new connection. Default 30 s; range 1 s to 5 min.</summary>
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The wait after the first failed attempt to reach a contact. Default 1 s; range 10 ms to 1 h. When a relay on a
    /// conversation's circuits dies, both sides redial at once while the network is still settling (the contact's own
    /// introduction circuits are being rebuilt), and that first attempt often fails: this wait is most of the time to
    /// reconnect (CR-01's rebuild: ~2 s and ~6 s with 2 s here, docs/security.md §5.3.1).
    /// </summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest wait between attempts (the delay doubles from <see cref="RetryInitialDelay"/> up to this). Default
    /// 10 min; range 10 ms to 1 day; at least <see cref="RetryInitialDelay"/>.
    /// </summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The fraction of each delay taken off at random, so that many waiting conversations do not retry in step.
    /// Default 0.2; range 0 to 0.9.
    /// </summary>
    public double RetryJitter { get; set; } = 0.2;

    /// <summary>The window over which contact requests are counted. Default 10 min; range 1 s to 1 day.</summary>
    public TimeSpan ContactRequestWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The most distinct unknown senders admitted as contact requests per <see cref="ContactRequestWindow"/>; more are
    /// refused before anything is stored. Default 5; range 0 to 10,000.
    /// </summary>
    public int MaxContactRequestsPerWindow { get; set; } = 5;

    /// <summary>
    /// The most frames read from one connection and not yet handled; a peer that sends faster than this side can
    /// store is cut off (it retries on a new connection). Default 4,096; range 16 to 1,048,576.
    /// </summary>
    public int MaxUnhandledFramesPerConnection { get; set; } = 4_096;

    /// <summary>
    /// The most events waiting for the reader of <see cref="MessagingEngine.Events"/>; conversations wait when it is
    /// full. Default 65,536; range 16 to 16,777,216.
    /// </summary>
    public int EventCapacity { get; set; } = 65_536;

    /// <summary>Throws <see cref="OptionsValidationException"/> when a value is out of range.</summary>
    public void Validate()
    {
        var result = new MessagingOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(MessagingOptions), typeof(MessagingOptions), result.Failures);
        }
    }
}

/// <summary>Checks <see cref="MessagingOptions"/>; each message names the option to change.</summary>
public sealed class MessagingOptionsValidator : IValidateOptions<MessagingOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Range(failures, nameof(MessagingOptions.WindowSize), options.WindowSize, 1, 4_096);
        Range(failures, nameof(MessagingOptions.MaxHeldOutOfOrder), options.MaxHeldOutOfOrder, 1, 65_536);
        Range(failures, nameof(MessagingOptions.RotateEveryMessages), options.RotateEveryMessages, 0, 1_000_000);
        if (options.RotationInterval != TimeSpan.Zero)
        {
            Range(failures, nameof(MessagingOptions.RotationInterval), options.RotationInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        }

        Range(failures, nameof(MessagingOptions.GracePeriod), options.GracePeriod, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        Range(failures, nameof(MessagingOptions.HelloTimeout), options.HelloTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        Range(failures, nameof(MessagingOptions.RetryInitialDelay), options.RetryInitialDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        Range(failures, nameof(MessagingOptions.RetryMaxDelay), options.RetryMaxDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1));
        Range(failures, nameof(MessagingOptions.RetryJitter), options.RetryJitter, 0.0, 0.9);
        Range(failures, nameof(MessagingOptions.ContactRequestWindow), options.ContactRequestWindow, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Range(failures, nameof(MessagingOptions.MaxContactRequestsPerWindow), options.MaxContactRequestsPerWindow, 0, 10_000);
        Range(failures, nameof(MessagingOptions.MaxUnhandledFramesPerConnection), options.MaxUnhandledFramesPerConnection, 16, 1_048_576);
        Range(failures, nameof(MessagingOptions.EventCapacity), options.EventCapacity, 16, 16_777_216);
        if (options.RetryMaxDelay < options.RetryInitialDelay)
        {
            failures.Add($"MessagingOptions.{nameof(MessagingOptions.RetryMaxDelay)} ({options.RetryMaxDelay}) must be at least " +
                $"MessagingOptions.{nameof(MessagingOptions.RetryInitialDelay)} ({options.RetryInitialDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range<T>(List<string> failures, string name, T value, T min, T max)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            failures.Add($"MessagingOptions.{name} is {value}; it must be between {min} and {max}.");
        }
    }
}
