using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Client.Directory;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Cli.Configuration;

/// <summary>
/// One <c>--authority</c> value: <c>[NICKNAME,]ADDRESS:PORT,IDENTITY</c>, the three things a relay's configuration
/// names an authority by (Nickname, Address, Identity), comma-separated since the identity's base64 may hold
/// <c>/</c> and <c>+</c>. ADDRESS:PORT is where it serves the directory over HTTP (<c>192.0.2.1:7000</c>,
/// <c>[2001:db8::1]:7000</c>); IDENTITY is the 43-character key <c>hpc-directory keygen</c> printed.
/// </summary>
internal static class AuthorityArgument
{
    /// <summary>The form, for help and error messages.</summary>
    public const string Form = "[NICKNAME,]ADDRESS:PORT,IDENTITY";

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="problem"/> says what is wrong.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out ClientAuthorityOptions? authority, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        authority = null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is not (2 or 3))
        {
            problem = $"'{text}' is not {Form}.";
            return false;
        }

        var nickname = parts.Length == 3 ? parts[0] : "";
        var address = parts[^2];
        var identity = parts[^1];
        if (nickname.Length > 0 && !(nickname.Length <= 19 && nickname.All(char.IsAsciiLetterOrDigit)))
        {
            problem = $"'{nickname}' in '{text}' is not a nickname (1–19 ASCII letters and digits).";
            return false;
        }

        if (!RelayAddress.TryParse(address, out _))
        {
            problem = $"'{address}' in '{text}' is not an address like 192.0.2.1:7000 or [2001:db8::1]:7000.";
            return false;
        }

        if (!AuthorityIds.TryParse(identity, out _))
        {
            problem = $"'{identity}' in '{text}' is not an authority identity (43 characters of unpadded base64).";
            return false;
        }

        authority = new ClientAuthorityOptions { Nickname = nickname, Address = address, Identity = identity };
        problem = null;
        return true;
    }
}
