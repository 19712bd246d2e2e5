using Terminal.Gui.App;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>Runs the full-screen terminal UI over a session until the user exits (X) or the token is cancelled.</summary>
public static class TuiProgram
{
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Takes over the terminal, runs the UI on a thread of its own and gives the terminal back as it was; completes
    /// with exit code 0 when the user exits or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static Task<int> RunAsync(ITuiSession session, CancellationToken cancellationToken) =>
        RunAsync(session, TimeProvider.System, cancellationToken);

    /// <summary>As <see cref="RunAsync(ITuiSession, CancellationToken)"/>, with the clock the status line reads.</summary>
    public static Task<int> RunAsync(ITuiSession session, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Terminal.Gui's main loop blocks the thread it runs on; the caller's thread stays free.
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(Run(session, timeProvider, cancellationToken));
            }
#pragma warning disable CA1031 // Handed to the caller through the task.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                done.SetException(ex);
            }
        })
        {
            Name = "hpc-client terminal UI",
            IsBackground = true,
        };
        thread.Start();
        return done.Task;
    }

    private static int Run(ITuiSession session, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var app = Application.Create().Init();
        using var window = new TuiWindow(app, session, timeProvider, cancellationToken);
        using (cancellationToken.Register(() => app.Invoke(app.RequestStop)))
        {
            window.Start();
            app.Run(window);
        }

        window.Stop(StopBound);
        return 0;
    }
}
