using System.Runtime.InteropServices;
using HiddenPoint.Client.Cli.Session;
using HiddenPoint.Client.Cli.Tui;
using HiddenPoint.Client.Directory;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// <c>hpc-client</c> with no command: the full-screen interface (docs/terminal-ui.md) over the daemon's session when a
/// daemon runs, else over a messenger in this process (started first, with its progress on standard error, and
/// stopped after X: what is queued stays queued). SIGTERM and SIGHUP close it as X does.
/// </summary>
internal sealed class InterfaceCommand() : CliVerb("",
    "The full-screen interface: U refreshes the relays and contacts, S selects one (a conversation, or a relay's " +
    "details; Esc goes back), X exits, ? helps. In a conversation, what you type is sent; /back, /accept, /reject, " +
    "/block and /help are commands.")
{
    // How long the interface may take to close after the terminal hung up before the process exits anyway.
    private static readonly TimeSpan HangUpGrace = TimeSpan.FromSeconds(5);

    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client", "the interface, over the daemon if one runs"),
    ];

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var options = ClientSessions.MessengerOptionsFrom(context);
        var session = await ClientSessions.OpenOnlineAsync(context, cancellationToken, quiet: true).ConfigureAwait(false);
        try
        {
            Func<Consensus?> consensus = session is MessengerSession local
                ? () => local.Messenger.Core.Consensus.Latest
                : CachedConsensus(options.Core, context.Time);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var terminated = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var hungUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, HangUp);
            context.ExitCode = await TuiProgram.RunAsync(new ClientTuiSession(session, consensus, options.Core.Hosting.IntroductionPointCount), stopping.Token)
                .ConfigureAwait(false);

            void Stop(PosixSignalContext signal)
            {
                signal.Cancel = true;
                stopping.Cancel();
            }

            // The terminal is gone: close as after X, but a screen library that no longer sees its terminal may never
            // get there, so the process ends by itself after a few seconds (what is queued is in the store already).
            void HangUp(PosixSignalContext signal)
            {
                Stop(signal);
                _ = Task.Delay(HangUpGrace, CancellationToken.None).ContinueWith(_ => Environment.Exit(129), TaskScheduler.Default);
            }
        }
        finally
        {
            // A messenger run here stops with the interface; the daemon's keeps running.
            var local = session.Kind == SessionKind.InProcess;
            if (local)
            {
                await context.Console.Error.WriteLineAsync("hpc-client: stopping… (what is queued stays queued)").ConfigureAwait(false);
            }

            await session.DisposeAsync().ConfigureAwait(false);
            if (local)
            {
                await context.Console.Error.WriteLineAsync("hpc-client: stopped").ConfigureAwait(false);
            }
        }
    }

    // The consensus the daemon keeps in the data directory's cache, verified against the pinned authorities at each read.
    private static Func<Consensus?> CachedConsensus(ClientCoreOptions core, TimeProvider time) => () =>
    {
        var holder = new ConsensusHolder(ClientDirectory.PinnedAuthorities(core.Directory), time, cachePath: Path.Combine(core.DataDirectory, ClientDirectoryOptions.CacheFileName));
        holder.LoadCache();
        return holder.Latest;
    };
}
