using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using HiddenPoint.Client.Identity;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>
/// <c>hpc-client tui --config FILE [--data-dir DIR]</c>: starts a messenger in this process from a configuration file
/// (section <c>Client</c>, as <see cref="MessengerOptions"/>) and runs the terminal UI over it. The passphrase comes from
/// <c>HPC_PASSPHRASE_FILE</c> or <c>HPC_PASSPHRASE</c>. Exit codes: 0 after X, 64 bad usage, 78 bad configuration,
/// 1 the messenger could not start.
/// </summary>
internal static class TuiCommand
{
    public const int Usage = 64;
    public const int BadConfiguration = 78;
    public const int StartFailed = 1;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        string? configFile = null;
        string? dataDirectory = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--config" when i + 1 < args.Count:
                    configFile = args[++i];
                    break;
                case "--data-dir" when i + 1 < args.Count:
                    dataDirectory = args[++i];
                    break;
                default:
                    await Console.Error.WriteLineAsync("usage: hpc-client tui --config FILE [--data-dir DIR]").ConfigureAwait(false);
                    return Usage;
            }
        }

        if (configFile is null)
        {
            await Console.Error.WriteLineAsync("usage: hpc-client tui --config FILE [--data-dir DIR]").ConfigureAwait(false);
            return Usage;
        }

        MessengerOptions options;
        try
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(configFile), optional: false).Build();
            options = configuration.GetSection(MessengerOptions.Section).Get<MessengerOptions>() ?? new MessengerOptions();
            if (dataDirectory is not null)
            {
                options.DataDirectory = dataDirectory;
            }

            options.Validate();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or ArgumentException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync("hpc-client: configuration: " + ex.Message).ConfigureAwait(false);
            return BadConfiguration;
        }

        var passphrase = PassphraseSource.FromEnvironment();
        if (passphrase is null)
        {
            await Console.Error.WriteLineAsync($"hpc-client: set {PassphraseSource.FileVariable} or {PassphraseSource.EnvironmentVariable} to the store's passphrase.").ConfigureAwait(false);
            return BadConfiguration;
        }

        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var progress = new Progress<MessengerStartupStep>(step => Console.Error.WriteLine("hpc-client: " + Describe(step)));
        Messenger messenger;
        try
        {
            // Nothing logs to the terminal the UI is about to take over.
            messenger = await Messenger.StartAsync(options, passphrase, TimeProvider.System, NullLoggerFactory.Instance, services.GetRequiredService<IMeterFactory>(), progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StoreOpenException or PassphraseException or IdentityFileException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            await Console.Error.WriteLineAsync("hpc-client: " + ex.Message).ConfigureAwait(false);
            return StartFailed;
        }

        // Asked to stop (kill, or the terminal closed), the UI closes as after X and the messenger stops cleanly.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var terminated = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var hungUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        int exitCode;
        await using (messenger.ConfigureAwait(false))
        {
            exitCode = await TuiProgram.RunAsync(new MessengerTuiSession(messenger, options), stopping.Token).ConfigureAwait(false);

            // What is pending stays queued in the store for the next run.
            await Console.Error.WriteLineAsync("hpc-client: stopping…").ConfigureAwait(false);
        }

        await Console.Error.WriteLineAsync("hpc-client: stopped").ConfigureAwait(false);
        return exitCode;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }
    }

    private static string Describe(MessengerStartupStep step) => step switch
    {
        MessengerStartupStep.OpeningStore => "opening the store…",
        MessengerStartupStep.Bootstrapping => "fetching the consensus, building circuits…",
        MessengerStartupStep.Publishing => "publishing the hidden point…",
        _ => "ready",
    };
}
