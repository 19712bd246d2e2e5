using Terminal.Gui.Input;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>What a key press means in the views that take single-letter keys (list, relay details, help).</summary>
public enum TuiKeyAction
{
    /// <summary>Not one of the screen's keys: the focused view may use it.</summary>
    None = 0,

    /// <summary>U: refresh the list.</summary>
    Refresh,

    /// <summary>S or Enter: open the selected row (or go back from details).</summary>
    Select,

    /// <summary>X: exit.</summary>
    Exit,

    /// <summary>?: help.</summary>
    Help,

    /// <summary>Esc: back.</summary>
    Back,
}

/// <summary>Maps key presses to the screen's actions (letters either case, no Ctrl or Alt).</summary>
public static class TuiKeys
{
    /// <summary>The action of <paramref name="key"/>.</summary>
    public static TuiKeyAction Read(Key key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key == Key.Esc)
        {
            return TuiKeyAction.Back;
        }

        if (key == Key.Enter)
        {
            return TuiKeyAction.Select;
        }

        if (key.IsCtrl || key.IsAlt)
        {
            return TuiKeyAction.None;
        }

        var rune = key.AsRune.Value;
        return rune switch
        {
            'u' or 'U' => TuiKeyAction.Refresh,
            's' or 'S' => TuiKeyAction.Select,
            'x' or 'X' => TuiKeyAction.Exit,
            '?' => TuiKeyAction.Help,
            _ => TuiKeyAction.None,
        };
    }
}
