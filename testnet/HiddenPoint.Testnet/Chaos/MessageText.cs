using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>
/// The text of the n-th chaos message from one user to another: <c>FROM&gt;TO #N </c> followed by a payload that is a
/// function of the run, the pair and N alone (hex of SHA-256, repeated to the size asked for), so the receiver's copy
/// is checked byte for byte against what the sender must have sent, and a message that landed in the wrong
/// conversation, twice, or changed shows as such.
/// </summary>
internal static class MessageText
{
    public static string Of(int runSeed, string from, string to, int n, int size)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"{from}>{to} #{n} ");
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{runSeed}|{from}|{to}|{n}"))));
        var text = new StringBuilder(head, Math.Max(size, head.Length));
        while (text.Length < size)
        {
            text.Append(digest, 0, Math.Min(digest.Length, size - text.Length));
        }

        return text.ToString();
    }

    /// <summary>N from a text that starts as <see cref="Of"/> writes it for the pair; null for any other text.</summary>
    public static int? NumberIn(string text, string from, string to)
    {
        var prefix = from + ">" + to + " #";
        if (!text.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = text.IndexOf(' ', prefix.Length);
        return end > prefix.Length && int.TryParse(text.AsSpan(prefix.Length, end - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }
}
