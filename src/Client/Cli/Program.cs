namespace HiddenPoint.Client.Cli;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        // The program's commands are built on the shared crypto, protocol and network layers; until they
        // land, it runs the daemon, checks that the platform can run the rest and says what it is.
        switch (args)
        {
            case ["--version"]:
                Console.WriteLine("hpc-client " + typeof(Program).Assembly.GetName().Version);
                return 0;
            case ["daemon", .. var rest]:
                return await Api.Daemon.DaemonProgram.RunAsync(rest).ConfigureAwait(false);
        }

        HiddenPoint.Crypto.CryptoSupport.EnsureSupported();
        Console.Error.WriteLine("hpc-client: no commands yet. See README.md for the state of the project.");
        return 64;
    }
}
