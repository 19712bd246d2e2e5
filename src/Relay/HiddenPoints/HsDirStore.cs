namespace HiddenPoint.Relay.HiddenPoints;

/// <summary>Why an HSDir refused a hidden-point descriptor (or that it stored it).</summary>
public enum HsDirStoreResult
{
    /// <summary>Stored (or replaced an older revision).</summary>
    Stored = 0,

    /// <summary>Not a well-formed descriptor (outer layer or certificate).</summary>
    Malformed,

    /// <summary>Larger than the limit (50 000 bytes).</summary>
    TooLarge,

    /// <summary>The certificate is not by the blinded key the descriptor was stored under.</summary>
    WrongBlindedKey,

    /// <summary>The descriptor-signing certificate or the descriptor signature does not verify.</summary>
    BadSignature,

    /// <summary>The signing certificate has expired (or is not valid yet).</summary>
    CertificateExpired,

    /// <summary>The lifetime is out of range (over 12 h).</summary>
    BadLifetime,

    /// <summary>A descriptor with the same or a higher revision counter is already stored.</summary>
    OldRevision,

    /// <summary>The store is full (its share of the relay's memory limit).</summary>
    Full,
}

/// <summary>
/// Placeholder with the agreed signatures; its owner replaces the body. The HSDir's descriptor store: keyed by blinded
/// key (keyed hashing), thread-safe (circuits call it concurrently), entries expire with their lifetime.
/// </summary>
public sealed class HsDirStore
{
    /// <summary>Stores <paramref name="descriptor"/> under <paramref name="blindedKey"/> after every check.</summary>
    public HsDirStoreResult Store(ReadOnlySpan<byte> blindedKey, ReadOnlySpan<byte> descriptor) => throw new NotImplementedException();

    /// <summary>The stored descriptor for <paramref name="blindedKey"/>, if any and not expired.</summary>
    public bool TryFetch(ReadOnlySpan<byte> blindedKey, out ReadOnlyMemory<byte> descriptor) => throw new NotImplementedException();

    /// <summary>Descriptors held.</summary>
    public int Count => throw new NotImplementedException();

    /// <summary>Bytes held (counted against the relay's memory limit).</summary>
    public long Bytes => throw new NotImplementedException();
}
