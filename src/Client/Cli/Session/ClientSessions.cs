using System.Globalization;
using HiddenPoint.Client.Cli.Commands;
using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Cli.Terminal;
using HiddenPoint.Client.Identity;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using Spectre.Console;

namespace HiddenPoint.Client.Cli.Session;

/// <summary>
/// Opens the session a command works in: the client daemon's when one runs on the data directory, otherwise the
/// messenger (or, for commands that need no network, the store alone) in this process.
/// </summary>
internal static class ClientSessions
{
    /// <summary>Configuration section of the conversation engine's options (<see cref="MessagingOptions"/>).</summary>
    public const string MessagingSection = "Messaging";

    /// <summary>Configuration section of the messenger's own options (<see cref="MessengerOptions"/>: stream timeout, subscribers).</summary>
    public const string MessengerSection = "Messenger";

    /// <summary>A session on the network: the daemon's, else the messenger started here with a progress line.</summary>
    /// <param name="context">The command's context.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="quiet">Log nothing to the terminal (the full-screen interface takes it over).</param>
    public static async Task<IClientSession> OpenOnlineAsync(VerbContext context, CancellationToken cancellationToken, bool quiet = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await TryDaemonAsync(context, cancellationToken).ConfigureAwait(false) is { } daemon)
        {
            return daemon;
        }

        var options = MessengerOptionsFrom(context);
        var services = new CliServices(context.Configuration.Root, quiet);
        try
        {
            var source = PassphraseSources.Choose(context.Console, newStore: false);
            var messenger = await WithProgressAsync(
                context,
                progress => Messenger.StartAsync(options, source, context.Time, services.Loggers, services.Meters, progress, cancellationToken)).ConfigureAwait(false);
            return new MessengerSession(messenger, services);
        }
        catch
        {
            services.Dispose();
            throw;
        }
    }

    /// <summary>A session for contacts, history and counts: the daemon's, else the store alone.</summary>
    public static async Task<IClientSession> OpenOfflineAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await TryDaemonAsync(context, cancellationToken).ConfigureAwait(false) is { } daemon)
        {
            return daemon;
        }

        var configuration = context.Configuration;
        var storeOptions = configuration.StoreOptions(create: false);
        using var identity = HiddenPointIdentityStore.Load(configuration.Data.IdentityFile);
        var self = identity.IdentityPublicKey.ToHiddenId();
        var store = await MessageStore.OpenAsync(storeOptions, PassphraseSources.Choose(context.Console, newStore: false), context.Time, null, cancellationToken)
            .ConfigureAwait(false);
        return new StoreSession(store, self);
    }

    // The daemon's session when one listens on the data directory's socket; null when none runs there.
    private static async Task<IClientSession?> TryDaemonAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var data = context.Configuration.Data.Path;
        if (!File.Exists(Path.Combine(data, HiddenPoint.Client.Api.Contract.ApiWire.SocketFileName)))
        {
            return null;
        }

        try
        {
            return await DaemonSession.ConnectAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (HiddenPoint.Client.Api.Connecting.DaemonNotRunningException e) when (e.Reason != HiddenPoint.Client.Api.Connecting.DaemonUnreachableReason.AccessDenied)
        {
            // A socket file left by a daemon that was killed: nobody listens, so this process works on its own.
            return null;
        }
    }

    /// <summary>The messenger's options from the configuration: sections Client, Messaging, Store and Messenger.</summary>
    public static MessengerOptions MessengerOptionsFrom(VerbContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var configuration = context.Configuration;
        var core = configuration.CoreOptions();
        if (core.Directory.Authorities.Count == 0)
        {
            throw new CliException(CliError.Configuration,
                "no directory authority is configured. Give them to `hpc-client init --authority …`, or add Client:Directory:Authorities " +
                $"to {configuration.File ?? configuration.Data.ConfigFile} (see docs/cli.md).");
        }

        var options = configuration.Bind<MessengerOptions>(MessengerSection);
        options.DataDirectory = configuration.Data.Path;
        options.Core = core;
        options.Messaging = configuration.Bind<MessagingOptions>(MessagingSection);
        options.Store = configuration.StoreOptions(create: false);
        try
        {
            options.Validate();
            core.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(CliError.Configuration, $"the configuration cannot be used: {e.Message}", e);
        }

        return options;
    }

    // "fetching consensus… building circuits… publishing hidden point…" with the elapsed time, on standard error when
    // it is a terminal.
    private static async Task<T> WithProgressAsync<T>(VerbContext context, Func<IProgress<MessengerStartupStep>, Task<T>> work)
    {
        if (!context.Console.ErrorIsTerminal)
        {
            return await work(new Progress<MessengerStartupStep>()).ConfigureAwait(false);
        }

        var started = context.Time.GetTimestamp();
        var step = MessengerStartupStep.OpeningStore;
        return await context.Console.Progress.Status().Spinner(Spinner.Known.Dots).StartAsync(Describe(step), async status =>
        {
            var running = work(new SynchronousProgress(s => step = s));
            while (!running.IsCompleted)
            {
                status.Status(string.Create(CultureInfo.InvariantCulture, $"{Describe(step)} {context.Time.GetElapsedTime(started).TotalSeconds:0.0} s"));
                await Task.WhenAny(running, Task.Delay(TimeSpan.FromMilliseconds(100), context.Time)).ConfigureAwait(false);
            }

            return await running.ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private static string Describe(MessengerStartupStep step) => step switch
    {
        MessengerStartupStep.OpeningStore => "opening the message store…",
        MessengerStartupStep.Bootstrapping => "fetching consensus, building circuits…",
        MessengerStartupStep.Publishing => "publishing hidden point…",
        _ => "ready",
    };

    private sealed class SynchronousProgress(Action<MessengerStartupStep> report) : IProgress<MessengerStartupStep>
    {
        public void Report(MessengerStartupStep value) => report(value);
    }
}
