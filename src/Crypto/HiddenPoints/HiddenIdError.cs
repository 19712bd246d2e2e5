namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// Why a string is not a hidden-id. The checks run in the order listed and the first failure is reported, except
/// that <see cref="UpperCase"/> and <see cref="InvalidCharacter"/> report whichever bad character comes first.
/// </summary>
public enum HiddenIdError
{
    /// <summary>No error: the id parsed.</summary>
    None = 0,

    /// <summary>Neither 56 characters nor 56 characters followed by the network's suffix.</summary>
    BadLength,

    /// <summary>56 characters followed by something of the suffix's length that is not the suffix.</summary>
    WrongSuffix,

    /// <summary>An upper-case letter (in the id or the suffix): ids are lower case only and are not case-folded.</summary>
    UpperCase,

    /// <summary>A character outside the base32 alphabet <c>a-z2-7</c>.</summary>
    InvalidCharacter,

    /// <summary>The version byte is not this network's (for example a Tor address given to HiddenPoint).</summary>
    WrongVersion,

    /// <summary>The two checksum bytes do not match the key and version.</summary>
    BadChecksum,

    /// <summary>The key is not the canonical encoding of a point on the Ed25519 curve.</summary>
    KeyNotOnCurve,

    /// <summary>
    /// The key is a curve point but not of prime order l: it is of small order (the identity among them) or has a
    /// torsion component, so several keys would share one identity's signatures.
    /// </summary>
    KeyNotInPrimeOrderSubgroup,
}
