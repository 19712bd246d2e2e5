namespace HiddenPoint.Crypto.Noise;

/// <summary>Which side of a Noise handshake this party plays: the initiator sends the first message.</summary>
public enum NoiseRole
{
    /// <summary>Sends the first handshake message (the side that opened the link).</summary>
    Initiator,

    /// <summary>Receives the first handshake message (the relay that accepted the link).</summary>
    Responder,
}
