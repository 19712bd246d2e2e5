using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Guards;
using HiddenPoint.Testing;
using HiddenPoint.Testing.Network;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Tests.Guards;

/// <summary>Path-bias accounting (TEST-MATRIX PB-01): a guard that fails the circuits past it is noticed and logged.</summary>
public sealed class GuardPathBiasTests
{
    private static readonly Protocol.Documents.RelayStatus Guard = SyntheticConsensus.Relay("guard", "10.1.0.1", SyntheticConsensus.AllFlags, 100);

    [Theory]
    [InlineData(0.40, PathBiasLevel.Warning, 5111, LogLevel.Warning)]
    [InlineData(0.20, PathBiasLevel.Extreme, 5112, LogLevel.Error)]
    [InlineData(0.60, PathBiasLevel.Notice, 5110, LogLevel.Information)]
    public void PB01_a_guard_completing_too_few_circuits_is_judged_after_150_and_logged_once(double completedShare, PathBiasLevel level, int eventId, LogLevel logLevel)
    {
        using var logs = new LogCapture();
        var bias = new GuardPathBias(new CircuitBuilderOptions(), logs.CreateLogger<GuardPathBias>());

        // The guard lets every CREATE2 through and fails the rest of (1 - share) of the circuits, spread evenly.
        var completed = 0.0;
        for (var circuit = 1; circuit <= 149; circuit++)
        {
            bias.Record(Guard, Completes(circuit, completedShare, ref completed));
        }

        Assert.Equal(PathBiasLevel.None, bias.Of(Guard.Id).Level);
        Assert.DoesNotContain(logs.Lines, l => l.Id.Id is >= 5110 and <= 5112);

        for (var circuit = 150; circuit <= 290; circuit++)
        {
            bias.Record(Guard, Completes(circuit, completedShare, ref completed));
        }

        var counts = bias.Of(Guard.Id);
        Assert.Equal(level, counts.Level);
        Assert.Equal(290, counts.Circuits);
        var line = Assert.Single(logs.Lines, l => l.Id.Id is >= 5110 and <= 5112);
        Assert.Equal((eventId, logLevel), (line.Id.Id, line.Level));
        Assert.Contains("guard", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_healthy_guard_is_never_logged_and_the_counts_are_halved_at_the_scale_count()
    {
        using var logs = new LogCapture();
        var bias = new GuardPathBias(new CircuitBuilderOptions(), logs.CreateLogger<GuardPathBias>());
        var completed = 0.0;
        for (var circuit = 1; circuit <= 1_000; circuit++)
        {
            bias.Record(Guard, Completes(circuit, 0.9, ref completed));
        }

        var counts = bias.Of(Guard.Id);
        Assert.Equal(PathBiasLevel.None, counts.Level);
        Assert.InRange(counts.Circuits, 150, 300);
        Assert.InRange(counts.Completed / counts.Circuits, 0.85, 0.95);
        Assert.DoesNotContain(logs.Lines, l => l.Id.Id is >= 5110 and <= 5112);
    }

    [Fact]
    public void A_guard_that_recovers_and_falls_again_is_reported_again()
    {
        using var logs = new LogCapture();
        var bias = new GuardPathBias(new CircuitBuilderOptions { PathBiasMinCircuits = 10, PathBiasScaleCircuits = 20 }, logs.CreateLogger<GuardPathBias>());
        foreach (var completed in Enumerable.Repeat(false, 20).Concat(Enumerable.Repeat(true, 60)).Concat(Enumerable.Repeat(false, 40)))
        {
            bias.Record(Guard, completed);
        }

        // Extreme on the way down; nothing while it completes everything; on the second fall each level once, in order.
        Assert.Equal([5112, 5110, 5111, 5112], logs.Lines.Where(l => l.Id.Id is >= 5110 and <= 5112).Select(l => l.Id.Id));
    }

    [Fact]
    public void Thresholds_out_of_order_are_refused_naming_the_option()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            new CircuitBuilderOptions { PathBiasWarnRate = 0.8, PathBiasNoticeRate = 0.7 }.Validate());
        Assert.Contains(nameof(CircuitBuilderOptions.PathBiasNoticeRate), error.Message, StringComparison.Ordinal);
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new CircuitBuilderOptions { PathBiasScaleCircuits = 200 }.Validate());
    }

    // Whether circuit number n completes so that the completed share stays at share: spread evenly, never in bursts.
    private static bool Completes(int n, double share, ref double completed)
    {
        if (completed + 1 <= share * n)
        {
            completed++;
            return true;
        }

        return false;
    }
}
