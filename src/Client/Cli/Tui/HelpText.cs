namespace HiddenPoint.Client.Cli.Tui;

/// <summary>The keys and commands, as the help view and the key line show them.</summary>
public static class HelpText
{
    /// <summary>The list view's key line.</summary>
    public const string ListKeys = "U refresh  S select  X exit  ? help";

    /// <summary>The conversation view's key line.</summary>
    public const string ConversationKeys = "Enter send  Esc back  /help commands";

    /// <summary>The whole help.</summary>
    public static readonly IReadOnlyList<string> Lines =
    [
        "List",
        "  U        refresh: relays from the consensus, contacts and requests",
        "  S, Enter open the selected contact's conversation or relay's details",
        "  X        exit",
        "  ?        this help",
        "",
        "Conversation (letters typed are text; commands start with /)",
        "  Enter    send the line",
        "  Esc      back to the list (also /back)",
        "  /accept [name]  accept a contact request",
        "  /reject         reject a contact request (its messages are removed)",
        "  /block          block this sender",
        "  //text          send text that starts with /",
        "",
        "Esc or ? closes this help.",
    ];
}
