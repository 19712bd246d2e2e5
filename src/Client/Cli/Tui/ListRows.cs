using System.Globalization;
using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>
/// The rows of the list view: contacts first (requests, then accepted by name, then blocked), each with its
/// reachability and unread count; then the consensus's relays by nickname with flags, weight and address.
/// </summary>
public static class ListRows
{
    /// <summary>Columns for a name (contact or relay nickname).</summary>
    public const int NameWidth = 19;

    /// <summary>Builds the rows to fit <paramref name="width"/> columns.</summary>
    public static IReadOnlyList<ListRow> Build(IReadOnlyList<TuiContact> contacts, IReadOnlyList<TuiRelay> relays, UnreadCounts unread, int width)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        ArgumentNullException.ThrowIfNull(relays);
        ArgumentNullException.ThrowIfNull(unread);
        var rows = new List<ListRow>(contacts.Count + relays.Count + 2)
        {
            new(StateText.Fit(string.Create(CultureInfo.InvariantCulture, $"Contacts ({contacts.Count(c => c.State == ContactState.Accepted)}, {contacts.Count(c => c.State == ContactState.Requested)} pending requests)"), width), null, null),
        };
        var ordered = contacts
            .OrderBy(c => c.State switch { ContactState.Requested => 0, ContactState.Accepted => 1, _ => 2 })
            .ThenBy(c => StateText.ContactName(c), StringComparer.OrdinalIgnoreCase);
        foreach (var contact in ordered)
        {
            rows.Add(new ListRow(ContactRow(contact, unread.Of(contact.HiddenId), width), contact, null));
        }

        rows.Add(new ListRow(StateText.Fit(string.Create(CultureInfo.InvariantCulture, $"Relays ({relays.Count})"), width), null, null));
        foreach (var relay in relays.OrderBy(r => r.Nickname, StringComparer.OrdinalIgnoreCase))
        {
            rows.Add(new ListRow(RelayRow(relay, width), null, relay));
        }

        return rows;
    }

    /// <summary>
    /// Where the selection goes in <paramref name="rows"/>: the row of the same contact (by hidden-id) or relay (by
    /// identity) as <paramref name="previous"/>, else the first row that can be opened; -1 when none can.
    /// </summary>
    public static int IndexOf(IReadOnlyList<ListRow> rows, ListRow? previous)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var first = -1;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (!row.IsSelectable)
            {
                continue;
            }

            if (first < 0)
            {
                first = i;
            }

            if ((previous?.Contact is { } contact && row.Contact?.HiddenId == contact.HiddenId)
                || (previous?.Relay is { } relay && row.Relay?.Identity == relay.Identity))
            {
                return i;
            }
        }

        return first;
    }

    /// <summary>"  alice              online          3 unread".</summary>
    public static string ContactRow(TuiContact contact, int unread, int width)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var marker = contact.State == ContactState.Requested ? "? " : "  ";
        var text = marker + StateText.Fit(StateText.ContactName(contact), NameWidth) + " " + StateText.Reachability(contact);
        if (unread > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"  ({unread} unread)");
        }

        return StateText.Fit(text, width);
    }

    /// <summary>"  relay-one           Fast Guard HSDir Running Stable Valid  bw 100  127.0.0.1:5000".</summary>
    public static string RelayRow(TuiRelay relay, int width)
    {
        ArgumentNullException.ThrowIfNull(relay);
        var address = relay.Addresses.Count > 0 ? relay.Addresses[0] : "-";
        var text = string.Create(CultureInfo.InvariantCulture, $"  {StateText.Fit(relay.Nickname, NameWidth)} {address,-21} bw {relay.BandwidthWeight,-6} {StateText.Flags(relay.Flags)}");
        return StateText.Fit(text, width);
    }
}
