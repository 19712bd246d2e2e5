using HiddenPoint.Client.Cli.Tui;

namespace HiddenPoint.Client.Cli;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        // The program's commands are built on the shared crypto, protocol and network layers; until they
        // land, it only checks that the platform can run them and says what it is.
        if (args is ["--version"])
        {
            Console.WriteLine("hpc-client " + typeof(Program).Assembly.GetName().Version);
            return 0;
        }

        HiddenPoint.Crypto.CryptoSupport.EnsureSupported();

        // The terminal UI over a messenger in this process, until the command framework gives it its place.
        if (args is ["tui", .. var rest])
        {
            return await TuiCommand.RunAsync(rest, CancellationToken.None).ConfigureAwait(false);
        }

        await Console.Error.WriteLineAsync("hpc-client: no commands yet. See README.md for the state of the project.").ConfigureAwait(false);
        return 64;
    }
}
