namespace HiddenPoint.Relay.Limits;

/// <summary>
/// Placeholder with the agreed signatures; its owner replaces the body. One account of the bytes the relay holds for
/// others (queued cells, HSDir descriptors, caches) against a configured limit.
/// </summary>
public sealed class MemoryQuota
{
    /// <summary>The limit in bytes.</summary>
    public long Limit => throw new NotImplementedException();

    /// <summary>Bytes in use now.</summary>
    public long Used => throw new NotImplementedException();

    /// <summary>Claims <paramref name="bytes"/> for a cache; false (nothing claimed) when that would pass the cache share.</summary>
    public bool TryClaimCache(long bytes) => throw new NotImplementedException();

    /// <summary>Gives back bytes claimed with <see cref="TryClaimCache"/>.</summary>
    public void ReleaseCache(long bytes) => throw new NotImplementedException();
}
