using HiddenPoint.Client.Cli.Terminal;

namespace HiddenPoint.Client.Cli;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        HiddenPoint.Crypto.CryptoSupport.EnsureSupported();
        var commandLine = new ClientCommandLine(CliConsole.FromProcess(), TimeProvider.System);
        return await commandLine.RunAsync(args, CancellationToken.None).ConfigureAwait(false);
    }
}
