namespace HiddenPoint.Client.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        // The program's commands are built on the shared crypto, protocol and network layers; until they
        // land, it only checks that the platform can run them and says what it is.
        if (args is ["--version"])
        {
            Console.WriteLine("hpc-client " + typeof(Program).Assembly.GetName().Version);
            return 0;
        }

        HiddenPoint.Crypto.CryptoSupport.EnsureSupported();
        Console.Error.WriteLine("hpc-client: no commands yet. See README.md for the state of the project.");
        return 64;
    }
}
