using HiddenPoint.Testing.Terminal;

namespace HiddenPoint.IntegrationTests.Messaging;

/// <summary>A fact that needs tmux; skipped, with the reason, where tmux cannot run.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmuxFactAttribute : FactAttribute
{
    /// <summary>Skips when <see cref="TmuxTerminal.MissingReason"/> says why.</summary>
    public TmuxFactAttribute()
    {
        if (TmuxTerminal.MissingReason is { } reason)
        {
            Skip = reason;
        }
    }
}
