using System.Globalization;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>The lines of a relay's details view (all of it public: it is what the consensus says).</summary>
public static class RelayDetails
{
    /// <summary>The details of <paramref name="relay"/>, one fact a line.</summary>
    public static IReadOnlyList<string> Lines(TuiRelay relay)
    {
        ArgumentNullException.ThrowIfNull(relay);
        var lines = new List<string>
        {
            "Relay " + relay.Nickname,
            string.Empty,
            "Identity:  " + relay.Identity,
            "Flags:     " + StateText.Flags(relay.Flags),
            "Bandwidth: " + relay.BandwidthWeight.ToString(CultureInfo.InvariantCulture) + " (consensus weight)",
        };
        for (var i = 0; i < relay.Addresses.Count; i++)
        {
            lines.Add((i == 0 ? "Address:   " : "           ") + relay.Addresses[i]);
        }

        lines.Add(string.Empty);
        lines.Add("Esc or S: back");
        return lines;
    }
}
