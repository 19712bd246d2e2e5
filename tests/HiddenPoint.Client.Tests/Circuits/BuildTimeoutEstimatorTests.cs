using HiddenPoint.Client.Circuits;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Tests.Circuits;

/// <summary>The build timeout is learned from recent build times.</summary>
public sealed class BuildTimeoutEstimatorTests
{
    [Fact]
    public void The_initial_timeout_holds_until_enough_samples_then_the_quantile_clamped()
    {
        var options = new CircuitBuilderOptions { BuildTimeoutMin = TimeSpan.FromMilliseconds(10), BuildTimeoutMinSamples = 10, BuildTimeoutWindow = 10 };
        var estimator = new BuildTimeoutEstimator(options);
        for (var i = 1; i <= 9; i++)
        {
            Assert.Equal(TimeSpan.FromSeconds(60), estimator.Record(TimeSpan.FromMilliseconds(i * 100)));
        }

        // 100..1000 ms: the 0.8 quantile is the 8th value.
        Assert.Equal(TimeSpan.FromMilliseconds(800), estimator.Record(TimeSpan.FromMilliseconds(1000)));

        // The window slides: ten fast builds bring it down to the minimum.
        for (var i = 0; i < 10; i++)
        {
            estimator.Record(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(10), estimator.Timeout);

        // Ten builds abandoned at the maximum bring it up to the maximum, never beyond.
        for (var i = 0; i < 10; i++)
        {
            estimator.Record(TimeSpan.FromMinutes(5));
        }

        Assert.Equal(TimeSpan.FromSeconds(60), estimator.Timeout);
    }

    [Fact]
    public void Options_out_of_range_are_refused_naming_the_option()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new CircuitBuilderOptions { MaxAttempts = 0 }.Validate());
        Assert.Contains(nameof(CircuitBuilderOptions.MaxAttempts), error.Message, StringComparison.Ordinal);
        error = Assert.Throws<OptionsValidationException>(() => new CircuitBuilderOptions { BuildTimeoutInitial = TimeSpan.FromHours(1) }.Validate());
        Assert.Contains(nameof(CircuitBuilderOptions.BuildTimeoutInitial), error.Message, StringComparison.Ordinal);
    }
}
