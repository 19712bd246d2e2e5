namespace HiddenPoint.Crypto.Keys;

/// <summary>
/// What a long-term key is for. Each role has its own key type, so a key made for one role cannot be passed where
/// another is expected; key files record the role and refuse to load as any other.
/// </summary>
public enum KeyRole
{
    /// <summary>A relay's long-term Ed25519 identity (Tor's KP_relayid_ed); signs its descriptor and certifies its other keys.</summary>
    RelayIdentity = 1,

    /// <summary>A directory authority's Ed25519 identity; signs votes and the consensus.</summary>
    AuthorityIdentity = 2,

    /// <summary>A hidden point's Ed25519 identity (KP_hs_id); its public key is the hidden-id.</summary>
    HiddenPointIdentity = 3,

    /// <summary>A relay's X25519 static key for Noise links (the responder's static key, listed in its descriptor).</summary>
    Link = 4,

    /// <summary>A relay's X25519 key for ntor v3 circuit handshakes (Tor's KP_ntor, the "onion key").</summary>
    CircuitHandshake = 5,

    /// <summary>A hidden point's X25519 introduction encryption key (KP_hss_ntor), hs_ntor's static key; one per introduction point.</summary>
    HsIntroEncryption = 6,
}

/// <summary>The names and algorithms of the roles, as key files write them.</summary>
public static class KeyRoles
{
    /// <summary>The word a key file uses for the role.</summary>
    public static string FileName(this KeyRole role) => role switch
    {
        KeyRole.RelayIdentity => "relay-identity",
        KeyRole.AuthorityIdentity => "authority-identity",
        KeyRole.HiddenPointIdentity => "hidden-point-identity",
        KeyRole.Link => "link",
        KeyRole.CircuitHandshake => "circuit-handshake",
        KeyRole.HsIntroEncryption => "hs-intro-encryption",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown key role."),
    };

    /// <summary>The algorithm every key of the role uses.</summary>
    public static KeyAlgorithm Algorithm(this KeyRole role) => role switch
    {
        KeyRole.RelayIdentity or KeyRole.AuthorityIdentity or KeyRole.HiddenPointIdentity => KeyAlgorithm.Ed25519,
        KeyRole.Link or KeyRole.CircuitHandshake or KeyRole.HsIntroEncryption => KeyAlgorithm.X25519,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown key role."),
    };

    internal static bool TryParse(ReadOnlySpan<char> name, out KeyRole role)
    {
        foreach (var candidate in Enum.GetValues<KeyRole>())
        {
            if (name.SequenceEqual(candidate.FileName()))
            {
                role = candidate;
                return true;
            }
        }

        role = default;
        return false;
    }
}

/// <summary>The two curves HiddenPoint's long-term keys live on.</summary>
public enum KeyAlgorithm
{
    /// <summary>Ed25519 signatures (RFC 8032).</summary>
    Ed25519 = 1,

    /// <summary>X25519 key agreement (RFC 7748).</summary>
    X25519 = 2,
}
