namespace HiddenPoint.Crypto.Noise;

/// <summary>A token of a Noise message pattern (Noise revision 34, §7.1).</summary>
public enum NoiseToken : byte
{
    /// <summary>The sender's ephemeral public key, in clear.</summary>
    E,

    /// <summary>The sender's static public key, encrypted once a key exists.</summary>
    S,

    /// <summary>DH(initiator ephemeral, responder ephemeral).</summary>
    EE,

    /// <summary>DH(initiator ephemeral, responder static).</summary>
    ES,

    /// <summary>DH(initiator static, responder ephemeral).</summary>
    SE,

    /// <summary>DH(initiator static, responder static).</summary>
    SS,
}
