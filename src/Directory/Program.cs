using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Hosting;

namespace HiddenPoint.DirectoryAuthority;

internal static class Program
{
    private const string Usage = """
        hpc-directory: a HiddenPoint directory authority.

        Relays upload their signed descriptors to every authority. Each voting interval the authorities vote on
        which relays to list and with which flags, compute the same consensus from the votes, sign it, and
        publish it once more than half of them have signed. Clients fetch the consensus from any authority.

        Commands:
          hpc-directory keygen --data-dir DIR
              Creates DIR/authority.key (owner-only) and prints the authority's identity. Give that identity,
              with this authority's nickname and address, to the operators of the other authorities.

          hpc-directory run [--config FILE] [--Option value ...]
              Runs the authority. Options come from FILE (JSON), then environment variables HPC_DIRECTORY__Option
              (nested: HPC_DIRECTORY__Authorities__0__Identity), then the command line; later sources win.

        Options:
          DataDirectory     folder with authority.key; the authority keeps its state there (required)
          Nickname          this authority's name, 1-19 letters and digits (required)
          Listen            address to serve HTTP on, e.g. 127.0.0.1:7000; listed in votes (required)
          VotingInterval    time between consensuses, hh:mm:ss (default 01:00:00; a testnet uses e.g. 00:00:10)
          Testnet           true for small flag thresholds (relays get Stable, Guard, HSDir at once)
          UploadsPerWindow  descriptor uploads per source address per 10 minutes (default 20)
          ReachabilityTimeout      longest a relay's link handshake test may take (default 00:00:10)
          ReachabilityParallelism  relays tested at once (default 32)
          ReachabilityTesting      false only in tests: Running without a handshake test (default true)
          DescriptorFlushDelay     accepted descriptors are on disk within this time (default 00:00:02)
          Parameters:NAME   a network parameter to vote for, e.g. --Parameters:CircuitWindow 1000
          Authorities:N:Nickname, Authorities:N:Address, Authorities:N:Identity
                            the other authorities (N = 0, 1, ...)

        Example configuration file:
          { "DataDirectory": "/var/lib/hpc-directory", "Nickname": "auth1", "Listen": "127.0.0.1:7000",
            "VotingInterval": "00:00:10", "Testnet": true,
            "Authorities": [ { "Nickname": "auth2", "Address": "127.0.0.2:7000", "Identity": "<43 characters>" } ] }

        HTTP API (documents as text/plain bytes):
          POST /hpc/descriptor   a relay uploads its descriptor
          GET  /hpc/consensus    the latest published consensus
          GET  /hpc/descriptors  every descriptor held
          POST /hpc/vote, GET /hpc/vote, POST /hpc/signature, GET /hpc/signature   between authorities

        Exit codes: 0 success, 1 failure, 2 invalid options, 64 usage error.
        """;

    internal static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case [] or ["--help" or "-h" or "help", ..]:
                Console.WriteLine(Usage);
                return args.Length == 0 ? 64 : 0;
            case ["--version"]:
                Console.WriteLine("hpc-directory " + typeof(Program).Assembly.GetName().Version);
                return 0;
            case ["keygen", "--data-dir", var folder]:
                return Keygen(folder);
            case ["keygen", ..]:
                Console.Error.WriteLine("hpc-directory keygen: usage: hpc-directory keygen --data-dir DIR");
                return 64;
            case ["run", .. var rest]:
                return await Run(rest).ConfigureAwait(false);
            default:
                Console.Error.WriteLine($"hpc-directory: unknown command '{args[0]}'. Run `hpc-directory --help`.");
                return 64;
        }
    }

    private static int Keygen(string folder)
    {
        HiddenPoint.Crypto.CryptoSupport.EnsureSupported();
        var path = Path.Combine(folder, AuthorityState.KeyFileName);
        using var key = AuthorityIdentityKey.Generate();
        try
        {
            KeyFile.Write(key, path);
        }
        catch (KeyFileException e)
        {
            Console.Error.WriteLine($"hpc-directory keygen: {e.Message}");
            return 1;
        }

        Console.WriteLine($"Wrote {path}.");
        Console.WriteLine($"identity {key.Id}");
        return 0;
    }

    private static async Task<int> Run(string[] args)
    {
        HiddenPoint.Crypto.CryptoSupport.EnsureSupported();
        string? configFile = null;
        if (args is ["--config", var file, .. var rest])
        {
            configFile = file;
            args = rest;
        }

        AuthorityOptions options;
        try
        {
            options = DirectoryHost.ReadOptions(configFile, args);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or InvalidOperationException or IOException)
        {
            Console.Error.WriteLine($"hpc-directory: cannot read the configuration: {e.Message}");
            return 2;
        }

        var problems = DirectoryHost.Validate(options);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                Console.Error.WriteLine("hpc-directory: " + problem);
            }

            return 2;
        }

        try
        {
            await using var app = DirectoryHost.Build(options, TimeProvider.System);
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (KeyFileException e)
        {
            Console.Error.WriteLine($"hpc-directory: {e.Message} (run `hpc-directory keygen --data-dir {options.DataDirectory}` first)");
            return 1;
        }
    }
}
