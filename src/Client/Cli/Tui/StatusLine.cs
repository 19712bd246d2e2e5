using System.Globalization;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>
/// The bottom line, most important first so that a narrow terminal cuts the least: consensus age, circuit health
/// (introduction points up of those wanted), whether the hidden point is published, conversations connected now, and
/// the pending, delivered and failed counts and requests waiting.
/// </summary>
public static class StatusLine
{
    /// <summary>The line before the first status arrives.</summary>
    public const string Starting = "starting…";

    /// <summary>Formats <paramref name="status"/> at <paramref name="now"/> to fit <paramref name="width"/> columns.</summary>
    public static string Format(TuiStatus? status, DateTimeOffset now, int width)
    {
        if (status is null)
        {
            return StateText.Fit(Starting, width);
        }

        var consensus = status.ConsensusValidAfter is { } validAfter
            ? "consensus " + StateText.Age(now - validAfter)
            : "no consensus";
        var health = status.IntroductionPoints >= status.IntroductionPointsWanted ? "ok"
            : status.IntroductionPoints > 0 ? "degraded"
            : "down";
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"{consensus} | circuits {health} {status.IntroductionPoints}/{status.IntroductionPointsWanted} | {(status.PublicationDegraded ? "uploads failing" : status.Published ? "published" : "not published")} | {status.ConnectedConversations} online | pending {status.Pending} delivered {status.Delivered}");
        if (status.Failed > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" failed {status.Failed}");
        }

        if (status.Requests > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" | {status.Requests} requests");
        }

        return StateText.Fit(text, width);
    }
}
