using HiddenPoint.Client.Api.Daemon;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// <c>hpc-client daemon</c>: runs the user's messenger and its local API until SIGTERM or SIGINT
/// (<see cref="DaemonProgram"/>, docs/client-api.md), on the data directory and configuration the other commands use.
/// Its exit code is the daemon's own (docs/client-api.md lists them); the daemon prints its own messages.
/// </summary>
internal sealed class DaemonCommand() : CliVerb("daemon",
    "Run your messenger in the background: keep your hidden point online, send what is queued, receive, and serve the " +
    "local API on DIR/client.sock (only you can open it) that the other commands, the full-screen interface and any " +
    "front end use. Stops cleanly on SIGTERM or Ctrl-C; what is queued stays queued. One daemon per data directory. " +
    "An example systemd user unit: src/Client/Cli/systemd/hpc-client.service.")
{
    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("HPC_PASSPHRASE_FILE=~/.config/hpc/passphrase hpc-client daemon", "runs in the foreground; logs on standard error"),
        new("systemctl --user enable --now hpc-client", "as a systemd user service (copy the unit first)"),
    ];

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration;
        var args = new List<string> { "--data-dir", configuration.Data.Path };
        if (configuration.File is { } file)
        {
            args.AddRange(["--config", file]);
        }

        args.AddRange(context.Settings);
        context.ExitCode = await DaemonProgram.RunAsync([.. args]).ConfigureAwait(false);
    }
}
