using HiddenPoint.Client.Connecting;
using HiddenPoint.Client.Hosting;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Tests.Hosting;

public sealed class HostingOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        new HostingOptions().Validate();
        new ConnectOptions().Validate();
    }

    [Fact]
    public void A_value_out_of_range_is_refused_with_the_option_named()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new HostingOptions { IntroductionPointCount = 0, ReplayCacheCapacity = 1 }.Validate());

        Assert.Contains(error.Failures, f => f.Contains("HostingOptions.IntroductionPointCount", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("HostingOptions.ReplayCacheCapacity", StringComparison.Ordinal));
    }

    [Fact]
    public void Republishing_less_often_than_hsdirs_keep_the_descriptor_is_refused()
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => new HostingOptions { RepublishInterval = TimeSpan.FromHours(4), DescriptorLifetime = TimeSpan.FromHours(3) }.Validate());

        Assert.Contains(error.Failures, f => f.Contains("HostingOptions.RepublishInterval", StringComparison.Ordinal) && f.Contains("DescriptorLifetime", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lifetime_of_part_of_a_minute_and_a_retry_ceiling_below_the_first_retry_are_refused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new HostingOptions
        {
            DescriptorLifetime = TimeSpan.FromMinutes(90.5),
            IntroductionRetryDelay = TimeSpan.FromSeconds(10),
            IntroductionRetryMaxDelay = TimeSpan.FromSeconds(5),
        }.Validate());

        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public void Connect_options_out_of_range_are_refused_with_the_option_named()
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => new ConnectOptions { ConnectTimeout = TimeSpan.Zero, MaxDescriptorFetchAttempts = 0, RendezvousTimeout = TimeSpan.FromHours(1) }.Validate());

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("ConnectOptions.ConnectTimeout", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("ConnectOptions.MaxDescriptorFetchAttempts", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("ConnectOptions.RendezvousTimeout", StringComparison.Ordinal));
    }
}
