namespace HiddenPoint.Client.Cli.Tui;

/// <summary>One row of the list view: a section heading, a contact or a relay.</summary>
/// <param name="Text">The row as shown.</param>
/// <param name="Contact">The contact S opens, when the row is one.</param>
/// <param name="Relay">The relay S shows, when the row is one.</param>
public sealed record ListRow(string Text, TuiContact? Contact, TuiRelay? Relay)
{
    /// <summary>True for a row S can open.</summary>
    public bool IsSelectable => Contact is not null || Relay is not null;
}
