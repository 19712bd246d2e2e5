namespace HiddenPoint.Client.Guards;

/// <summary>Why a guard or vanguard left its set.</summary>
public enum GuardRemoval
{
    /// <summary>Missing from the consensus (or no longer usable) for longer than <see cref="GuardOptions.RemoveUnlistedAfter"/>.</summary>
    Unlisted = 1,

    /// <summary>Older than <see cref="GuardOptions.GuardLifetime"/>.</summary>
    Expired,

    /// <summary>A vanguard past its lifetime.</summary>
    LifetimeOver,

    /// <summary>A vanguard no longer listed Running, Valid, Stable and Fast (vanguards are replaced at once).</summary>
    VanguardUnlisted,
}
