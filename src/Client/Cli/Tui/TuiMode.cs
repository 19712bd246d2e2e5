namespace HiddenPoint.Client.Cli.Tui;

/// <summary>Which view the screen shows.</summary>
public enum TuiMode
{
    /// <summary>Contacts and relays (U, S, X, ?).</summary>
    List = 0,

    /// <summary>A contact's conversation with its input line.</summary>
    Conversation,

    /// <summary>A relay's details.</summary>
    Relay,

    /// <summary>The keys and commands.</summary>
    Help,
}
