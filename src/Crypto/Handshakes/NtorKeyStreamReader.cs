using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The key material a completed handshake yields: an unbounded SHAKE-256 stream (ntor v3's KEYSTREAM after
/// ENC_KEY; hs_ntor's <c>SHAKE-256(NTOR_KEY_SEED | m_hsexpand)</c>). The circuit layer reads its keys from
/// it in order, as many bytes as its relay crypto needs, then disposes it.
/// </summary>
/// <remarks>Both ends of a handshake read the same bytes in the same order. Not thread-safe.</remarks>
public sealed class NtorKeyStreamReader : IDisposable
{
    private Shake256Sponge _sponge;
    private bool _disposed;

    /// <summary>Takes over an absorbed (possibly already partly squeezed) sponge.</summary>
    internal NtorKeyStreamReader(ref Shake256Sponge sponge)
    {
        _sponge = sponge;
        sponge.Clear();
    }

    /// <summary>Bytes handed out so far.</summary>
    public long Position { get; private set; }

    /// <summary>Fills <paramref name="destination"/> with the next key stream bytes.</summary>
    public void Read(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _sponge.Squeeze(destination);
        Position += destination.Length;
    }

    /// <summary>Wipes the sponge state, from which every later byte would follow.</summary>
    public void Dispose()
    {
        _sponge.Clear();
        _disposed = true;
    }
}
