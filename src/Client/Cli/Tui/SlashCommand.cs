namespace HiddenPoint.Client.Cli.Tui;

/// <summary>The commands of the conversation view's input line (typed with a leading slash, so letters are text).</summary>
public enum SlashCommand
{
    /// <summary><c>/back</c>: back to the list (as Esc).</summary>
    Back = 1,

    /// <summary><c>/accept [name]</c>: accept this contact request, under the name given (else the start of its hidden-id).</summary>
    Accept,

    /// <summary><c>/reject</c>: reject this contact request; its messages are removed.</summary>
    Reject,

    /// <summary><c>/block</c>: block this sender.</summary>
    Block,

    /// <summary><c>/help</c>: the commands and keys.</summary>
    Help,
}
