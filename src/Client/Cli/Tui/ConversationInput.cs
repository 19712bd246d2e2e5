namespace HiddenPoint.Client.Cli.Tui;

/// <summary>What a line typed in the conversation view asks for.</summary>
public enum InputKind
{
    /// <summary>Nothing (blank line): ignored.</summary>
    Nothing = 0,

    /// <summary>A message to send (<see cref="ConversationInput.Text"/>).</summary>
    Message,

    /// <summary>A command (<see cref="ConversationInput.Command"/>, with <see cref="ConversationInput.Argument"/>).</summary>
    Command,

    /// <summary>A slash word that is no command (<see cref="ConversationInput.Text"/> is the word, for the error shown).</summary>
    UnknownCommand,
}

/// <summary>
/// A parsed input line. A line starting with one slash is a command; two slashes send the rest as text starting with
/// one slash ("//shrug" sends "/shrug"); anything else is sent as typed.
/// </summary>
/// <param name="Kind">What the line asks for.</param>
/// <param name="Text">The message to send, or the unknown command's word.</param>
/// <param name="Command">The command, when <paramref name="Kind"/> is <see cref="InputKind.Command"/>.</param>
/// <param name="Argument">What follows the command word, trimmed (empty when nothing does).</param>
public sealed record ConversationInput(InputKind Kind, string Text, SlashCommand? Command, string Argument)
{
    private static readonly ConversationInput NothingTyped = new(InputKind.Nothing, string.Empty, null, string.Empty);

    /// <summary>Reads one line as typed.</summary>
    public static ConversationInput Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (string.IsNullOrWhiteSpace(line))
        {
            return NothingTyped;
        }

        if (line.StartsWith("//", StringComparison.Ordinal))
        {
            return new ConversationInput(InputKind.Message, line[1..], null, string.Empty);
        }

        if (!line.StartsWith('/'))
        {
            return new ConversationInput(InputKind.Message, line, null, string.Empty);
        }

        var body = line.AsSpan(1).Trim();
        var space = body.IndexOf(' ');
        var word = (space < 0 ? body : body[..space]).ToString();
        var argument = space < 0 ? string.Empty : body[(space + 1)..].Trim().ToString();
        SlashCommand? command = word.ToUpperInvariant() switch
        {
            "BACK" => SlashCommand.Back,
            "ACCEPT" => SlashCommand.Accept,
            "REJECT" => SlashCommand.Reject,
            "BLOCK" => SlashCommand.Block,
            "HELP" or "?" => SlashCommand.Help,
            _ => null,
        };
        return command is null
            ? new ConversationInput(InputKind.UnknownCommand, "/" + word, null, argument)
            : new ConversationInput(InputKind.Command, string.Empty, command, argument);
    }
}
