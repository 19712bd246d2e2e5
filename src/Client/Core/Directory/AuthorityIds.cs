using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Client.Directory;

/// <summary>Pinned authority identities as configured: unpadded base64 of the 32-byte Ed25519 key.</summary>
public static class AuthorityIds
{
    /// <summary>Parses <paramref name="text"/>; false when it is not 43 base64 characters naming 32 bytes.</summary>
    public static bool TryParse(string? text, out AuthorityId id)
    {
        id = default;
        if (text is null || text.Length != 43)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[33];
        if (!Convert.TryFromBase64String(text + "=", bytes, out var written) || written != Ed25519PublicKey.Length)
        {
            return false;
        }

        id = new AuthorityId(Ed25519PublicKey.FromBytes(bytes[..written]));
        return true;
    }
}
