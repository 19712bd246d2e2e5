namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// The HSDir ring's sizes (rend-spec-v3 §2.2.3; Tor's consensus parameters of the same names and defaults).
/// </summary>
public sealed record HsDirRingParameters
{
    /// <summary>hsdir_n_replicas: ring positions per hidden point and period. Default 2, range 1 to 16.</summary>
    public int Replicas { get; init; } = 2;

    /// <summary>hsdir_spread_store: relays a host uploads to per replica. Default 4, range 1 to 128.</summary>
    public int SpreadStore { get; init; } = 4;

    /// <summary>hsdir_spread_fetch: relays per replica a client picks one from. Default 3, range 1 to 128.</summary>
    public int SpreadFetch { get; init; } = 3;

    /// <summary>The defaults.</summary>
    public static HsDirRingParameters Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (Replicas is < 1 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(Replicas), Replicas, "hsdir_n_replicas must be 1 to 16.");
        }

        if (SpreadStore is < 1 or > 128)
        {
            throw new ArgumentOutOfRangeException(nameof(SpreadStore), SpreadStore, "hsdir_spread_store must be 1 to 128.");
        }

        if (SpreadFetch is < 1 or > 128)
        {
            throw new ArgumentOutOfRangeException(nameof(SpreadFetch), SpreadFetch, "hsdir_spread_fetch must be 1 to 128.");
        }
    }
}
