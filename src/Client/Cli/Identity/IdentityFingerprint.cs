using System.Security.Cryptography;
using System.Text;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Cli.Identity;

/// <summary>
/// The fingerprint two people read to each other (by phone, in person) to check that the hidden-id one of them holds
/// is the other's: the first 20 bytes of SHA-256 over the 32-byte identity key KP_hs_id, in upper-case hexadecimal,
/// in 10 groups of 4 digits separated by spaces (<c>3F2A 9C01 …</c>, 49 characters). 160 bits: finding another key
/// with the same fingerprint costs about 2^160 hashes. docs/cli.md, <c>hpc-client id</c>.
/// </summary>
internal static class IdentityFingerprint
{
    /// <summary>Bytes of the hash shown.</summary>
    public const int Bytes = 20;

    /// <summary>Hexadecimal digits per group.</summary>
    public const int GroupLength = 4;

    /// <summary>The fingerprint of <paramref name="identityKey"/>.</summary>
    public static string Of(HiddenPointIdentityPublicKey identityKey)
    {
        ArgumentNullException.ThrowIfNull(identityKey);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(identityKey.Bytes, hash);
        var hex = Convert.ToHexString(hash[..Bytes]);
        var text = new StringBuilder(hex.Length + (hex.Length / GroupLength));
        for (var i = 0; i < hex.Length; i += GroupLength)
        {
            if (i > 0)
            {
                text.Append(' ');
            }

            text.Append(hex, i, GroupLength);
        }

        return text.ToString();
    }
}
