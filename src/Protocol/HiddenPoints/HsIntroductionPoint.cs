using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Protocol.HiddenPoints;

/// <summary>
/// One introduction point as the descriptor's inner layer lists it (rend-spec-v3 §2.5.2): how to reach the relay,
/// and the two keys a client needs to send it an INTRODUCE1 for this hidden point.
/// </summary>
public sealed class HsIntroductionPoint
{
    /// <summary>An introduction point.</summary>
    /// <param name="linkSpecifiers">The relay's identity and addresses, for EXTEND2.</param>
    /// <param name="onionKey">The relay's ntor v3 circuit-handshake key.</param>
    /// <param name="authKey">KP_hs_ipt_sid: the key the host's ESTABLISH_INTRO used at this relay.</param>
    /// <param name="encryptionKey">KP_hss_ntor: the host's hs_ntor key for INTRODUCE2 at this introduction point.</param>
    public HsIntroductionPoint(
        LinkSpecifiers linkSpecifiers, CircuitHandshakePublicKey onionKey, HsIntroAuthKey authKey, HsIntroEncryptionPublicKey encryptionKey)
    {
        ArgumentNullException.ThrowIfNull(linkSpecifiers);
        LinkSpecifiers = linkSpecifiers;
        OnionKey = onionKey;
        AuthKey = authKey;
        EncryptionKey = encryptionKey;
    }

    /// <summary>The relay's identity and addresses.</summary>
    public LinkSpecifiers LinkSpecifiers { get; }

    /// <summary>The relay's ntor v3 key (<c>onion-key ntor</c>).</summary>
    public CircuitHandshakePublicKey OnionKey { get; }

    /// <summary>KP_hs_ipt_sid (<c>auth-key</c>, certified by the descriptor-signing key).</summary>
    public HsIntroAuthKey AuthKey { get; }

    /// <summary>KP_hss_ntor (<c>enc-key ntor</c>, certified by <c>enc-key-cert</c>).</summary>
    public HsIntroEncryptionPublicKey EncryptionKey { get; }
}
