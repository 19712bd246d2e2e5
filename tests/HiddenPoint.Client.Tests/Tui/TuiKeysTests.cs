using HiddenPoint.Client.Cli.Tui;
using Terminal.Gui.Input;

namespace HiddenPoint.Client.Tests.Tui;

public sealed class TuiKeysTests
{
    public static TheoryData<Key, TuiKeyAction> Keys => new()
    {
        { Key.U, TuiKeyAction.Refresh },
        { Key.U.WithShift, TuiKeyAction.Refresh },
        { Key.S, TuiKeyAction.Select },
        { Key.S.WithShift, TuiKeyAction.Select },
        { Key.Enter, TuiKeyAction.Select },
        { Key.X, TuiKeyAction.Exit },
        { Key.X.WithShift, TuiKeyAction.Exit },
        { new Key('?'), TuiKeyAction.Help },
        { Key.Esc, TuiKeyAction.Back },
        { Key.A, TuiKeyAction.None },
        { Key.X.WithCtrl, TuiKeyAction.None },
        { Key.U.WithAlt, TuiKeyAction.None },
        { Key.CursorDown, TuiKeyAction.None },
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public void Letters_either_case_and_Enter_Esc_map_to_the_screen_actions(Key key, TuiKeyAction action) =>
        Assert.Equal(action, TuiKeys.Read(key));
}
