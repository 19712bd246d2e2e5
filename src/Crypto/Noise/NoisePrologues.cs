namespace HiddenPoint.Crypto.Noise;

/// <summary>
/// Prologues: bytes both sides hash into the handshake without sending them, so that a handshake made for one
/// purpose or network can never complete as another.
/// </summary>
public static class NoisePrologues
{
    /// <summary><c>hpc-link-1</c>: every HiddenPoint link handshake (relay to relay and client to relay).</summary>
    public static ReadOnlySpan<byte> HpcLink => "hpc-link-1"u8;
}
