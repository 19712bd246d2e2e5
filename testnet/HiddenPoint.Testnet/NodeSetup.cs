using System.Globalization;
using System.Text.Json;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Testnet;

/// <summary>
/// Makes each node's keys with its own program's <c>keygen</c> and writes its configuration file. Every testnet
/// timing parameter (a short voting interval, small flag thresholds, quick uploads and fetches) is set here, in the
/// generated files, and nowhere in the programs' defaults.
/// </summary>
internal static class NodeSetup
{
    /// <summary>Keygen processes run at once.</summary>
    private static readonly int s_keygenParallelism = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Runs keygen for every node in <c>STATE/nodes/NAME</c> and returns the records, not yet started.</summary>
    public static async Task<List<NodeRecord>> MakeKeysAsync(string stateDirectory, IReadOnlyList<NodePlan> plan, CancellationToken cancel)
    {
        using var gate = new SemaphoreSlim(s_keygenParallelism);
        var records = await Task.WhenAll(plan.Select(async node =>
        {
            await gate.WaitAsync(cancel).ConfigureAwait(false);
            try
            {
                return await MakeKeyAsync(stateDirectory, node).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return [.. records];
    }

    /// <summary>
    /// Writes every node's configuration file (the records' <see cref="NodeRecord.ConfigFile"/>). A relay named in
    /// <paramref name="relaysBehindProxy"/> listens on the port given there and advertises its record's
    /// <see cref="NodeRecord.Port"/>, where a proxy of the chaos runner forwards to it (docs/relay.md
    /// <c>AdvertisedPort</c>); <paramref name="hiddenPointDebugLog"/> has the relays log their introduction points and
    /// descriptor uploads (Debug), which the chaos scenarios read.
    /// </summary>
    public static void WriteConfigurations(
        IReadOnlyList<NodeRecord> nodes, TimeSpan votingInterval, IReadOnlyDictionary<string, int>? relaysBehindProxy = null, bool hiddenPointDebugLog = false)
    {
        var authorities = nodes.Where(n => n.Role == NodeRole.Authority).ToList();
        foreach (var node in nodes)
        {
            using var file = File.Create(node.ConfigFile);
            using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
            if (node.Role == NodeRole.Authority)
            {
                WriteAuthority(json, node, authorities.Where(a => a != node), votingInterval);
            }
            else
            {
                WriteRelay(json, node, authorities, votingInterval, relaysBehindProxy?.GetValueOrDefault(node.Name), hiddenPointDebugLog);
            }
        }
    }

    private static async Task<NodeRecord> MakeKeyAsync(string stateDirectory, NodePlan node)
    {
        var dataDirectory = Path.Combine(stateDirectory, "nodes", node.Name);
        var program = NodePrograms.For(node.Role);
        var (exitCode, output, error) = await NodeProcesses.RunToEndAsync(program, ["keygen", "--data-dir", dataDirectory], TimeSpan.FromSeconds(60)).ConfigureAwait(false);

        // hpc-directory prints "identity <id>", hpc-relay "relay id <id>": the id is the last word of that line.
        var prefix = node.Role == NodeRole.Authority ? "identity " : "relay id ";
        var line = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (exitCode != 0 || line is null)
        {
            throw new TestnetException($"{Path.GetFileName(program)} keygen for {node.Name} failed (exit {exitCode}): {error.Trim()}{output.Trim()}");
        }

        return new NodeRecord
        {
            Name = node.Name,
            Role = node.Role,
            Address = node.Address,
            Port = node.Port,
            Identity = line[prefix.Length..],
            ConfigFile = Path.Combine(dataDirectory, node.Role == NodeRole.Authority ? "authority.json" : "relay.json"),
            LogFile = Path.Combine(stateDirectory, "logs", node.Name + ".log"),
        };
    }

    // hpc-directory's options (docs/directory-authority.md §1).
    private static void WriteAuthority(Utf8JsonWriter json, NodeRecord node, IEnumerable<NodeRecord> peers, TimeSpan votingInterval)
    {
        json.WriteStartObject();
        json.WriteString("DataDirectory", Path.GetDirectoryName(node.ConfigFile));
        json.WriteString("Nickname", node.Name);
        json.WriteString("Listen", node.Endpoint);
        json.WriteString("VotingInterval", Duration(votingInterval));

        // Flag thresholds of minutes-old relays: Stable, Guard and HSDir at once.
        json.WriteBoolean("Testnet", true);

        // Every relay uploads from 127.0.0.1, the loopback source address, so the per-source limit would hold back
        // all but the first 20 relays of a larger testnet.
        json.WriteNumber("UploadsPerWindow", 100_000);

        // The users connect from 127.0.0.1 too, so each relay counts every user of the testnet as one client address.
        // Tor's per-address circuit limits (3 CREATE2/s after a burst of 90; past them the address is refused for the
        // defence period) are meant for one client: after a relay is killed, all users rebuilding at once would spend
        // them, and a guard would then refuse every user for an hour. The consensus scales them to the most users a
        // testnet has (100); the flood tests check the defaults in process.
        json.WriteStartObject("Parameters");
        json.WriteNumber(NetworkParameter.DoSCircuitCreationRate.Name, 3 * RunOptions.MaxUsers);
        json.WriteNumber(NetworkParameter.DoSCircuitCreationBurst.Name, 90 * RunOptions.MaxUsers);
        json.WriteEndObject();

        // A round tests reachability for at most half an interval; a relay that does not answer within 2 s on
        // loopback is not running.
        json.WriteString("ReachabilityTimeout", "00:00:02");
        json.WriteStartArray("Authorities");
        foreach (var peer in peers)
        {
            WriteAuthorityEntry(json, peer);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    // hpc-relay's options (docs/relay.md, "Configure").
    private static void WriteRelay(
        Utf8JsonWriter json, NodeRecord node, IEnumerable<NodeRecord> authorities, TimeSpan votingInterval, int? behindProxyPort, bool hiddenPointDebugLog)
    {
        json.WriteStartObject();
        if (hiddenPointDebugLog)
        {
            json.WriteStartObject("Logging");
            json.WriteStartObject("LogLevel");
            json.WriteString("HiddenPoint.Relay.HiddenPoints", "Debug");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteStartObject("Relay");
        json.WriteString("DataDirectory", Path.GetDirectoryName(node.ConfigFile));
        json.WriteString("Nickname", node.Name);
        json.WriteString("ListenAddress", node.Address);
        json.WriteNumber("ListenPort", behindProxyPort ?? node.Port);
        if (behindProxyPort is not null)
        {
            json.WriteNumber("AdvertisedPort", node.Port);
        }

        json.WriteStartArray("Authorities");
        foreach (var authority in authorities)
        {
            WriteAuthorityEntry(json, authority);
        }

        json.WriteEndArray();

        // A consensus lives a few voting intervals: fetch each one, and upload often enough that an authority
        // restarted with an empty store lists the relay again within a minute.
        json.WriteString("ConsensusFetchInterval", Duration(votingInterval));
        json.WriteString("DescriptorPublishInterval", "00:01:00");
        json.WriteString("AuthorityRequestTimeout", "00:00:05");

        // Nothing on a testnet is worth waiting 30 s for at `stop`.
        json.WriteString("ShutdownWaitLength", "00:00:02");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteAuthorityEntry(Utf8JsonWriter json, NodeRecord authority)
    {
        json.WriteStartObject();
        json.WriteString("Nickname", authority.Name);
        json.WriteString("Address", authority.Endpoint);
        json.WriteString("Identity", authority.Identity);
        json.WriteEndObject();
    }

    private static string Duration(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
