using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Client.Guards;

/// <summary>Relay identities as the guard state stores them: unpadded base64 of the 32-byte Ed25519 key.</summary>
internal static class RelayIds
{
    public static string Format(RelayId id) => id.ToString();

    public static bool TryParse(string? text, out RelayId id)
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

        id = new RelayId(Ed25519PublicKey.FromBytes(bytes[..written]));
        return true;
    }
}
