using HiddenPoint.Client;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Directory;
using HiddenPoint.Client.Hosting;

namespace HiddenPoint.NetworkBenchmark;

/// <summary>
/// The client core's configuration in the benchmark: every option at its default except (1) the authorities of the
/// benchmark network, (2) the directory's retry, 250 ms doubling up to 1 s instead of 2 s up to 5 min, so that a client
/// started with the network notices the first consensus within a second of its publication rather than after a
/// back-off of many seconds, (3) the testnet's publishing timers for a host (testnet/README.md: the users' client.json),
/// and (4) the pool size, 0 for the measuring client so that every circuit it uses is built for the measurement.
/// </summary>
internal static class BenchClientOptions
{
    public static ClientCoreOptions Create(string dataDirectory, IEnumerable<ClientAuthorityOptions> authorities, int poolSize) => new()
    {
        DataDirectory = dataDirectory,
        Directory = new ClientDirectoryOptions
        {
            Authorities = [.. authorities],
            RetryInitial = TimeSpan.FromMilliseconds(250),
            RetryMax = TimeSpan.FromSeconds(1),
        },
        Circuits = new CircuitBuilderOptions { PoolSize = poolSize },
        Hosting = new HostingOptions
        {
            PublishSettleDelay = TimeSpan.FromMilliseconds(500),
            PublishRetryInterval = TimeSpan.FromSeconds(2),
        },
    };

    /// <summary>An authority as one command-line argument of the host child: <c>nickname,address,identity</c>.</summary>
    public static string Format(ClientAuthorityOptions authority) => $"{authority.Nickname},{authority.Address},{authority.Identity}";

    /// <summary>The reverse of <see cref="Format"/>; null when the argument is not three comma-separated parts.</summary>
    public static ClientAuthorityOptions? Parse(string argument)
    {
        var parts = argument.Split(',');
        return parts.Length == 3 ? new ClientAuthorityOptions { Nickname = parts[0], Address = parts[1], Identity = parts[2] } : null;
    }
}
