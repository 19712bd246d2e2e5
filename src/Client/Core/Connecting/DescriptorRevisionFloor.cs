using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Connecting;

/// <summary>
/// The highest descriptor revision a client has accepted for each blinded key, so that a hostile HSDir cannot serve an
/// older, still validly signed descriptor (listing introduction points the host has since dropped) once a newer one
/// was seen: a lower revision is refused as a rollback and the next HSDir is asked. The same revision is accepted
/// (every HSDir of the ring holds the same descriptor). A floor lasts as long as the descriptor that raised it may be
/// served (its lifetime), and at most <see cref="Capacity"/> keys are remembered, the oldest forgotten first. Ages
/// are measured on the monotonic clock. Thread-safe.
/// </summary>
internal sealed class DescriptorRevisionFloor
{
    /// <summary>Blinded keys remembered at most: one per hidden point contacted in the last 12 hours, with room.</summary>
    public const int Capacity = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<BlindedPublicKey, Floor> _floors = [];
    private readonly Queue<BlindedPublicKey> _order = new();
    private readonly TimeProvider _time;

    public DescriptorRevisionFloor(TimeProvider time) => _time = time;

    /// <summary>Keys with a floor now (expired ones included until they are replaced or pushed out).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _floors.Count;
            }
        }
    }

    /// <summary>
    /// False when <paramref name="revision"/> is lower than the floor held for <paramref name="blindedKey"/> (a rollback);
    /// otherwise raises the floor to it, for <paramref name="lifetime"/>, and returns true.
    /// </summary>
    public bool TryAccept(BlindedPublicKey blindedKey, ulong revision, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(blindedKey);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_floors.TryGetValue(blindedKey, out var held) && _time.GetElapsedTime(held.SetAt, now) < held.Lifetime)
            {
                if (revision < held.Revision)
                {
                    return false;
                }

                if (revision == held.Revision)
                {
                    return true;
                }
            }
            else if (!_floors.ContainsKey(blindedKey))
            {
                _order.Enqueue(blindedKey);
                while (_order.Count > Capacity)
                {
                    _floors.Remove(_order.Dequeue());
                }
            }

            _floors[blindedKey] = new Floor(revision, now, lifetime);
            return true;
        }
    }

    private readonly record struct Floor(ulong Revision, long SetAt, TimeSpan Lifetime);
}
