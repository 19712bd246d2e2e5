using HiddenPoint.Client.HiddenPoints;
using HiddenPoint.Protocol.HiddenPoints;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Hosting;

/// <summary>
/// How the user's hidden point is kept online (docs/client.md §4). <see cref="HostingOptionsValidator"/>
/// checks the ranges at start; <see cref="HostedHiddenPoint"/> checks them again when it is made.
/// </summary>
public sealed class HostingOptions
{
    /// <summary>Introduction points kept established and listed in the descriptor. Default 3 (Tor's); range 1 to 20.</summary>
    public int IntroductionPointCount { get; set; } = 3;

    /// <summary>
    /// How often the descriptors are uploaded again when nothing changed, so that HSDirs that joined the ring or lost
    /// the descriptor get it. Default 60 min; range 10 s to 12 h (it must stay under <see cref="DescriptorLifetime"/>).
    /// </summary>
    public TimeSpan RepublishInterval { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// How long HSDirs keep a descriptor (its <c>descriptor-lifetime</c>). Default 180 min (Tor's); range 30 min to
    /// 720 min, whole minutes.
    /// </summary>
    public TimeSpan DescriptorLifetime { get; set; } = TimeSpan.FromMinutes(180);

    /// <summary>
    /// After an introduction point changes, how long publishing waits for the others to settle before it uploads,
    /// unless all of them are established already. Default 2 s; range 0 to 1 min.
    /// </summary>
    public TimeSpan PublishSettleDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// When a round stored the descriptors at no HSDir (or there was no usable consensus), how long until the next
    /// round. Default 60 s; range 1 s to 1 h.
    /// </summary>
    public TimeSpan PublishRetryInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The most one upload to one HSDir may take, circuit included. Default 30 s; range 1 s to 5 min.</summary>
    public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most getting an introduction circuit and its INTRO_ESTABLISHED may take; then it is given up and tried
    /// again. Default 30 s; range 1 s to 5 min.
    /// </summary>
    public TimeSpan IntroductionSetupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The first wait before an introduction point that failed is set up again; each further failure in a row doubles
    /// it, up to <see cref="IntroductionRetryMaxDelay"/>. Default 1 s; range 10 ms to 1 min.
    /// </summary>
    public TimeSpan IntroductionRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts to set up an introduction point. Default 60 s; range 10 ms to 1 h.</summary>
    public TimeSpan IntroductionRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The most answering one introduction may take: the circuit to the rendezvous point and RENDEZVOUS1. Default 30 s;
    /// range 1 s to 5 min.
    /// </summary>
    public TimeSpan RendezvousTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Introductions answered at the same time; more wait. Default 8; range 1 to 256.</summary>
    public int MaxConcurrentRendezvous { get; set; } = 8;

    /// <summary>
    /// Introductions remembered per introduction point to refuse a replayed INTRODUCE2 (the oldest forgotten first).
    /// Default 16,384 (about 0.5 MB per introduction point); range 16 to 1,048,576.
    /// </summary>
    public int ReplayCacheCapacity { get; set; } = 16_384;

    /// <summary>Joined connections waiting for <see cref="HostedHiddenPoint.Connections"/> to be read; further ones are closed. Default 32; range 1 to 4,096.</summary>
    public int ConnectionBacklog { get; set; } = 32;

    /// <summary>Streams per connection waiting to be accepted; further BEGINs are refused. Default 16; range 1 to 1,024.</summary>
    public int StreamBacklog { get; set; } = 16;

    /// <summary>Throws <see cref="OptionsValidationException"/> naming every option out of range.</summary>
    public void Validate()
    {
        var result = new HostingOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(HostingOptions), typeof(HostingOptions), result.Failures);
        }
    }
}

/// <summary>Checks <see cref="HostingOptions"/>; each message names the option to change.</summary>
public sealed class HostingOptionsValidator : IValidateOptions<HostingOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, HostingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string O = nameof(HostingOptions);
        var failures = new List<string>();
        OptionRanges.Check(failures, O, nameof(options.IntroductionPointCount), options.IntroductionPointCount, 1, HsDescriptorFormat.MaxIntroductionPoints);
        OptionRanges.Check(failures, O, nameof(options.RepublishInterval), options.RepublishInterval, TimeSpan.FromSeconds(10), TimeSpan.FromHours(12));
        OptionRanges.Check(failures, O, nameof(options.DescriptorLifetime), options.DescriptorLifetime, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(720));
        OptionRanges.Check(failures, O, nameof(options.PublishSettleDelay), options.PublishSettleDelay, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        OptionRanges.Check(failures, O, nameof(options.PublishRetryInterval), options.PublishRetryInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        OptionRanges.Check(failures, O, nameof(options.UploadTimeout), options.UploadTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        OptionRanges.Check(failures, O, nameof(options.IntroductionSetupTimeout), options.IntroductionSetupTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        OptionRanges.Check(failures, O, nameof(options.IntroductionRetryDelay), options.IntroductionRetryDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        OptionRanges.Check(failures, O, nameof(options.IntroductionRetryMaxDelay), options.IntroductionRetryMaxDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        OptionRanges.Check(failures, O, nameof(options.RendezvousTimeout), options.RendezvousTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        OptionRanges.Check(failures, O, nameof(options.MaxConcurrentRendezvous), options.MaxConcurrentRendezvous, 1, 256);
        OptionRanges.Check(failures, O, nameof(options.ReplayCacheCapacity), options.ReplayCacheCapacity, 16, 1_048_576);
        OptionRanges.Check(failures, O, nameof(options.ConnectionBacklog), options.ConnectionBacklog, 1, 4_096);
        OptionRanges.Check(failures, O, nameof(options.StreamBacklog), options.StreamBacklog, 1, 1_024);
        if (options.DescriptorLifetime.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            failures.Add($"{O}.{nameof(options.DescriptorLifetime)} is {options.DescriptorLifetime}; it must be whole minutes.");
        }

        if (options.RepublishInterval >= options.DescriptorLifetime)
        {
            failures.Add($"{O}.{nameof(options.RepublishInterval)} ({options.RepublishInterval}) must be shorter than " +
                $"{O}.{nameof(options.DescriptorLifetime)} ({options.DescriptorLifetime}), or HSDirs drop the descriptor between uploads.");
        }

        if (options.IntroductionRetryMaxDelay < options.IntroductionRetryDelay)
        {
            failures.Add($"{O}.{nameof(options.IntroductionRetryMaxDelay)} ({options.IntroductionRetryMaxDelay}) must be at least " +
                $"{O}.{nameof(options.IntroductionRetryDelay)} ({options.IntroductionRetryDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
