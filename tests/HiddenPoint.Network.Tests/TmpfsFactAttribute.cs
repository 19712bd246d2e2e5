using HiddenPoint.Testing;

namespace HiddenPoint.Network.Tests;

/// <summary>A fact that needs a tmpfs of its own; skipped, with the reason, where one cannot be mounted.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmpfsFactAttribute : FactAttribute
{
    /// <summary>Skips when <see cref="SmallTmpfs.MissingReason"/> says why.</summary>
    public TmpfsFactAttribute()
    {
        if (SmallTmpfs.MissingReason is { } reason)
        {
            Skip = reason;
        }
    }
}
