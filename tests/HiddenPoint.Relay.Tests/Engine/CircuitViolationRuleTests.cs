using HiddenPoint.Network.Circuits;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Relay.Tests.Engine;

/// <summary>The parts of TEST-MATRIX FL-01's rule that need no network: the log rate limit and the options.</summary>
public sealed class CircuitViolationRuleTests
{
    [Fact]
    public void FL01_The_log_rate_limiter_lets_one_line_per_kind_per_interval_and_counts_the_rest()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(4, TimeSpan.FromSeconds(60), time);

        // The first of each kind passes; 1,000 more in the same minute are held back.
        Assert.True(limiter.TryEnter(1, out var heldBack));
        Assert.Equal(0, heldBack);
        for (var i = 0; i < 1_000; i++)
        {
            Assert.False(limiter.TryEnter(1, out _));
        }

        // Another kind has its own allowance.
        Assert.True(limiter.TryEnter(2, out _));

        // A minute later one line passes and says how many it stands for.
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(limiter.TryEnter(1, out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryEnter(1, out heldBack));
        Assert.Equal(1_001, heldBack);
        Assert.False(limiter.TryEnter(1, out _));
    }

    [Fact]
    public void FL01_Only_protocol_violations_count_against_a_link()
    {
        Assert.True(CircuitViolations.IsViolation(CircuitCloseReason.UnrecognizedCell));
        Assert.True(CircuitViolations.IsViolation(CircuitCloseReason.ProtocolViolation));
        Assert.True(CircuitViolations.IsViolation(CircuitCloseReason.RelayEarlyViolation));
        Assert.True(CircuitViolations.IsViolation(CircuitCloseReason.SendmeViolation));
        Assert.True(CircuitViolations.IsViolation(CircuitCloseReason.WindowViolation));

        // Closes a peer may cause without breaking the protocol, or that are this relay's own doing.
        Assert.False(CircuitViolations.IsViolation(CircuitCloseReason.DestroyedByPeer));
        Assert.False(CircuitViolations.IsViolation(CircuitCloseReason.LinkClosed));
        Assert.False(CircuitViolations.IsViolation(CircuitCloseReason.QueueOverflow));
        Assert.False(CircuitViolations.IsViolation(CircuitCloseReason.HandlerError));
        Assert.False(CircuitViolations.IsViolation(CircuitCloseReason.MemoryLimit));
        Assert.False(CircuitViolations.IsViolation(CircuitCloseReason.LocalClose));
    }

    [Fact]
    public void FL01_Violation_options_out_of_range_are_named()
    {
        var options = new RelayEngineOptions { MaxCircuitViolationsPerLink = 0 };
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains("RelayEngineOptions.MaxCircuitViolationsPerLink is 0", error.Message, StringComparison.Ordinal);

        options = new RelayEngineOptions { ViolationLogInterval = TimeSpan.FromHours(2) };
        error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains("RelayEngineOptions.ViolationLogInterval", error.Message, StringComparison.Ordinal);
        Assert.Equal(10, new RelayEngineOptions().MaxCircuitViolationsPerLink);
    }
}
