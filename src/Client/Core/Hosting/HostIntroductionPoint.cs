using HiddenPoint.Client.HiddenPoints;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.HiddenPoints;

namespace HiddenPoint.Client.Hosting;

/// <summary>
/// One established introduction point: the relay, the circuit to it on which ESTABLISH_INTRO registered
/// <see cref="AuthSigningKey"/>, the hs_ntor key clients encrypt INTRODUCE1 to, and the replay cache of the
/// introductions it delivered. Keys are fresh for every introduction point and die with it; its listener owns the
/// replay cache.
/// </summary>
internal sealed class HostIntroductionPoint : IDisposable
{
    public HostIntroductionPoint(RelayStatus relay, ClientCircuit circuit, HsIntroAuthSigningKey authSigningKey, HsIntroEncryptionKey encryptionKey, int replayCapacity)
    {
        Relay = relay;
        Circuit = circuit;
        AuthSigningKey = authSigningKey;
        EncryptionKey = encryptionKey;
        AuthKey = new HsIntroAuthKey(authSigningKey.PublicKey);
        ReplayCache = new IntroductionReplayCache(replayCapacity);
        DescriptorEntry = new HsIntroductionPoint(RelayLinkSpecifiers.Of(relay), relay.CircuitHandshakeKey, AuthKey, encryptionKey.Public);
    }

    /// <summary>The relay.</summary>
    public RelayStatus Relay { get; }

    /// <summary>The intro circuit, its last hop the relay.</summary>
    public ClientCircuit Circuit { get; }

    /// <summary>KS_hs_ipt_sid.</summary>
    public HsIntroAuthSigningKey AuthSigningKey { get; }

    /// <summary>KP_hs_ipt_sid, as ESTABLISH_INTRO, INTRODUCE2 and the descriptor carry it.</summary>
    public HsIntroAuthKey AuthKey { get; }

    /// <summary>KS_hss_ntor.</summary>
    public HsIntroEncryptionKey EncryptionKey { get; }

    /// <summary>The introductions already processed.</summary>
    public IntroductionReplayCache ReplayCache { get; }

    /// <summary>The descriptor's entry for this introduction point: public keys only, usable after the point is disposed.</summary>
    public HsIntroductionPoint DescriptorEntry { get; }

    public void Dispose()
    {
        AuthSigningKey.Dispose();
        EncryptionKey.Dispose();
    }
}
