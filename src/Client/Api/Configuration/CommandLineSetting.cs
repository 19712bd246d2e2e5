namespace HiddenPoint.Client.Api.Configuration;

/// <summary>
/// A configuration setting on the command line, <c>--Section:Option=value</c>, as hpc-relay takes them: a capitalised
/// section name (every section is: Client, Messaging, Store, Messenger, Api, Logging), a colon, and a value after
/// <c>=</c>. hpc-client's own options are lower-case, so the two never meet.
/// </summary>
public static class CommandLineSetting
{
    /// <summary>Whether <paramref name="token"/> is a setting.</summary>
    public static bool Is(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length < 3 || !token.StartsWith("--", StringComparison.Ordinal) || !char.IsAsciiLetterUpper(token[2]))
        {
            return false;
        }

        var colon = token.IndexOf(':', StringComparison.Ordinal);
        var equals = token.IndexOf('=', StringComparison.Ordinal);
        return colon > 2 && equals > colon + 1;
    }
}
