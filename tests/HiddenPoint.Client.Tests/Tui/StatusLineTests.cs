using HiddenPoint.Client.Cli.Tui;

namespace HiddenPoint.Client.Tests.Tui;

public sealed class StatusLineTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static TuiStatus Status(int intro = 3, bool published = true, long failed = 0, long requests = 0, DateTimeOffset? validAfter = null) =>
        new(validAfter ?? Now.AddMinutes(-3), 8, 2, intro, 3, published, 1, 0, 2, 10, failed, requests);

    [Fact]
    public void A_healthy_messenger_reads_in_one_80_column_line()
    {
        var line = StatusLine.Format(Status(), Now, 80);
        Assert.Equal(80, line.Length);
        Assert.Equal("consensus 3m | circuits ok 3/3 | published | 1 online | pending 2 delivered 10", line.TrimEnd());
    }

    [Theory]
    [InlineData(2, "circuits degraded 2/3")]
    [InlineData(0, "circuits down 0/3")]
    public void Fewer_introduction_points_than_wanted_read_as_degraded_or_down(int intro, string text) =>
        Assert.Contains(text, StatusLine.Format(Status(intro: intro), Now, 200), StringComparison.Ordinal);

    [Fact]
    public void Not_published_failures_and_requests_are_said()
    {
        var line = StatusLine.Format(Status(published: false, failed: 1, requests: 2), Now, 200);
        Assert.Contains("| not published |", line, StringComparison.Ordinal);
        Assert.Contains("failed 1", line, StringComparison.Ordinal);
        Assert.Contains("| 2 requests", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hidden_point_whose_uploads_all_fail_says_so_instead_of_published() =>
        Assert.Contains("| uploads failing |", StatusLine.Format(Status() with { PublicationDegraded = true }, Now, 200), StringComparison.Ordinal);

    [Fact]
    public void Before_a_consensus_and_before_any_status_the_line_says_so()
    {
        Assert.StartsWith("no consensus |", StatusLine.Format(Status() with { ConsensusValidAfter = null }, Now, 200), StringComparison.Ordinal);
        Assert.Equal(StatusLine.Starting, StatusLine.Format(null, Now, 40).TrimEnd());
    }

    [Fact]
    public void A_narrow_terminal_cuts_the_line_to_its_width()
    {
        var line = StatusLine.Format(Status(failed: 3, requests: 4), Now, 40);
        Assert.Equal(40, line.Length);
        Assert.StartsWith("consensus 3m | circuits ok 3/3", line, StringComparison.Ordinal);
        Assert.EndsWith("…", line, StringComparison.Ordinal);
    }
}
