using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The introduction point's authentication key <c>KP_hs_ipt_sid</c> (AUTH_KEY in hs_ntor): an Ed25519 public key that
/// the hidden point's descriptor lists for one introduction point.
/// </summary>
/// <param name="Key">The Ed25519 public key.</param>
public readonly record struct HsIntroAuthKey(Ed25519PublicKey Key)
{
    /// <inheritdoc/>
    public override string ToString() => Key.ToString();
}
