using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HiddenPoint.Client.Hosting;

/// <summary>
/// The INTRODUCE2s one introduction point has delivered, to process each at most once (rend-spec-v3 §3.4.1: a replayed
/// INTRODUCE2 would make the host build a rendezvous circuit again, which an adversary at the introduction point could
/// use to make the host's guard show up at a rendezvous point of its choice). An introduction is remembered by
/// SHA3-256 of its encrypted section (client key, ciphertext, MAC: unique per introduction, since the client key is
/// fresh), truncated to 128 bits. The cache lives as long as the introduction point's keys, which is as long as a
/// replay could still open; it holds at most <c>capacity</c> entries and forgets the oldest first. Not thread-safe:
/// the introduction point's listener owns it.
/// </summary>
internal sealed class IntroductionReplayCache
{
    private readonly HashSet<UInt128> _seen;
    private readonly Queue<UInt128> _order;
    private readonly int _capacity;

    public IntroductionReplayCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _seen = new HashSet<UInt128>(capacity);
        _order = new Queue<UInt128>(capacity);
    }

    /// <summary>Introductions remembered now.</summary>
    public int Count => _seen.Count;

    /// <summary>True the first time <paramref name="encryptedSection"/> is seen (it is then remembered), false for a replay.</summary>
    public bool TryAdd(ReadOnlySpan<byte> encryptedSection)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA3_256.HashData(encryptedSection, digest);
        var fingerprint = BinaryPrimitives.ReadUInt128LittleEndian(digest);
        if (!_seen.Add(fingerprint))
        {
            return false;
        }

        _order.Enqueue(fingerprint);
        if (_order.Count > _capacity)
        {
            _seen.Remove(_order.Dequeue());
        }

        return true;
    }
}
