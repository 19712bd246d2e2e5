using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HiddenPoint.TorBenchmark;

/// <summary>
/// One fresh Tor test network in its own folder: 3 directory authorities that are also relays, 5 relays, the onion
/// service's tor and the client's tor, each a separate tor process on 127.0.0.1 with free ports. <see cref="CreateAsync"/>
/// generates every key (as chutney does before it starts a network: authority keys with tor-gencert, relay identities with
/// <c>tor --list-fingerprint</c>) and writes every torrc; <see cref="Start"/> then starts all the tors at once.
/// Disposing kills every tor it started.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class TorNetwork : IDisposable
{
    /// <summary>How many directory authorities (each also a relay).</summary>
    public const int AuthorityCount = 3;

    /// <summary>How many relays besides the authorities.</summary>
    public const int RelayOnlyCount = 5;

    private readonly List<TorProcess> _processes = [];
    private readonly string _emptyTorrc;
    private readonly TorrcSettings _settings;

    private TorNetwork(string folder, IReadOnlyList<TorNode> nodes, TorrcSettings settings, IReadOnlyList<string> relayFingerprints)
    {
        Folder = folder;
        Nodes = nodes;
        _settings = settings;
        RelayFingerprints = relayFingerprints;
        _emptyTorrc = Path.Combine(folder, "empty-defaults-torrc");
    }

    /// <summary>The network's folder.</summary>
    public string Folder { get; }

    /// <summary>Every tor of the network, the 8 relay-capable ones first, then the onion service, then the client.</summary>
    public IReadOnlyList<TorNode> Nodes { get; }

    /// <summary>The relay fingerprints of the 8 relay-capable tors.</summary>
    public IReadOnlyList<string> RelayFingerprints { get; }

    /// <summary>The onion service's tor.</summary>
    public TorNode Service => Nodes[^2];

    /// <summary>The client's tor.</summary>
    public TorNode Client => Nodes[^1];

    /// <summary>The running processes of the relay-capable tors.</summary>
    public IReadOnlyList<TorProcess> RelayProcesses => [.. _processes.Where(p => p.Node.IsRelay)];

    /// <summary>Every process this network started.</summary>
    public IReadOnlyList<TorProcess> Processes => _processes;

    /// <summary>Prepares a network in <paramref name="folder"/> (created here): ports, keys, torrcs.</summary>
    public static async Task<TorNetwork> CreateAsync(
        string folder, OnionServiceTargets service, bool oneMillisecondScheduler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        CreatePrivateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "empty-defaults-torrc"), "", cancellationToken).ConfigureAwait(false);

        // Ports: ORPort for 8 relays, DirPort for 3 authorities, ControlPort for service and client, SocksPort for the client.
        var ports = new Queue<int>(FreePorts((AuthorityCount + RelayOnlyCount) + AuthorityCount + 3));
        var nodes = new List<TorNode>();
        for (var i = 0; i < AuthorityCount + RelayOnlyCount; i++)
        {
            var isAuthority = i < AuthorityCount;
            var nickname = isAuthority ? $"auth{i}" : $"relay{i - AuthorityCount}";
            nodes.Add(new TorNode(
                nickname,
                isAuthority ? TorRole.Authority : TorRole.Relay,
                Path.Combine(folder, nickname),
                OrPort: ports.Dequeue(),
                DirPort: isAuthority ? ports.Dequeue() : 0,
                ControlPort: 0,
                SocksPort: 0));
        }

        nodes.Add(new TorNode("service", TorRole.OnionService, Path.Combine(folder, "service"), 0, 0, ports.Dequeue(), 0));
        nodes.Add(new TorNode("client", TorRole.Client, Path.Combine(folder, "client"), 0, 0, ports.Dequeue(), ports.Dequeue()));
        foreach (var node in nodes)
        {
            CreatePrivateDirectory(node.DataDirectory);
        }

        CreatePrivateDirectory(nodes[^2].OnionServiceDirectory);

        var emptyTorrc = Path.Combine(folder, "empty-defaults-torrc");
        var relays = nodes.Where(n => n.IsRelay).ToList();
        var v3Identities = await Task.WhenAll(relays.Where(n => n.Role == TorRole.Authority).Select(n => CreateAuthorityKeysAsync(n, cancellationToken))).ConfigureAwait(false);
        var fingerprints = await Task.WhenAll(relays.Select(n => CreateRelayKeysAsync(n, emptyTorrc, cancellationToken))).ConfigureAwait(false);

        var authorities = relays.Where(n => n.Role == TorRole.Authority)
            .Select((n, i) => new DirectoryAuthorityEntry(n.Nickname, n.OrPort, n.DirPort, v3Identities[i], fingerprints[i]))
            .ToList();
        var settings = new TorrcSettings(authorities, Environment.ProcessId, oneMillisecondScheduler, service);
        foreach (var node in nodes)
        {
            await File.WriteAllTextAsync(node.TorrcPath, Torrc.For(node, settings), cancellationToken).ConfigureAwait(false);
        }

        return new TorNetwork(folder, nodes, settings, fingerprints);
    }

    /// <summary>
    /// Prepares another fresh network in <paramref name="folder"/> with this network's ports and relay and authority keys
    /// (copied: generating them again would take most of a minute on a loaded machine and is no part of any figure) and
    /// nothing else: new data directories with no cached consensus, descriptors or state, and a new onion service key.
    /// This network's folder must still exist.
    /// </summary>
    public async Task<TorNetwork> CreateFreshCopyAsync(string folder, CancellationToken cancellationToken)
    {
        CreatePrivateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "empty-defaults-torrc"), "", cancellationToken).ConfigureAwait(false);
        var nodes = new List<TorNode>();
        foreach (var old in Nodes)
        {
            var node = old with { DataDirectory = Path.Combine(folder, old.Nickname) };
            CreatePrivateDirectory(node.DataDirectory);
            if (node.IsRelay)
            {
                var keys = Path.Combine(node.DataDirectory, "keys");
                CreatePrivateDirectory(keys);
                foreach (var file in Directory.GetFiles(Path.Combine(old.DataDirectory, "keys")))
                {
                    File.Copy(file, Path.Combine(keys, Path.GetFileName(file)));
                }
            }

            if (node.Role == TorRole.OnionService)
            {
                CreatePrivateDirectory(node.OnionServiceDirectory);
            }

            await File.WriteAllTextAsync(node.TorrcPath, Torrc.For(node, _settings), cancellationToken).ConfigureAwait(false);
            nodes.Add(node);
        }

        return new TorNetwork(folder, nodes, _settings, RelayFingerprints);
    }

    /// <summary>Starts every tor, one right after the other; returns the <see cref="Stopwatch"/> timestamp just before the first.</summary>
    public long Start()
    {
        var started = Stopwatch.GetTimestamp();
        foreach (var node in Nodes)
        {
            _processes.Add(TorProcess.Start(node, _emptyTorrc));
        }

        return started;
    }

    /// <summary>
    /// Prepares and starts one more client tor, <paramref name="nickname"/>, with a fresh data directory (it joins the
    /// running network knowing nothing but the authorities); returns it and the timestamp just before it started.
    /// </summary>
    public async Task<(TorProcess Process, long StartedAt)> StartExtraClientAsync(string nickname, CancellationToken cancellationToken)
    {
        var ports = FreePorts(2);
        var node = new TorNode(nickname, TorRole.Client, Path.Combine(Folder, nickname), 0, 0, ports[0], ports[1]);
        CreatePrivateDirectory(node.DataDirectory);
        await File.WriteAllTextAsync(node.TorrcPath, Torrc.For(node, _settings), cancellationToken).ConfigureAwait(false);
        var startedAt = Stopwatch.GetTimestamp();
        var process = TorProcess.Start(node, _emptyTorrc);
        _processes.Add(process);
        return (process, startedAt);
    }

    /// <summary>Stops a client started by <see cref="StartExtraClientAsync"/> (kills it and forgets it).</summary>
    public void StopExtraClient(TorProcess process)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (!_processes.Remove(process))
        {
            throw new ArgumentException("Not a tor of this network.", nameof(process));
        }

        process.Dispose();
    }

    /// <summary>Fails fast when any tor of the network has exited.</summary>
    public void ThrowIfAnyExited()
    {
        foreach (var process in _processes)
        {
            process.ThrowIfExited();
        }
    }

    /// <summary>Kills every tor this network started.</summary>
    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        _processes.Clear();
    }

    private static async Task<string> CreateAuthorityKeysAsync(TorNode node, CancellationToken cancellationToken)
    {
        var keys = Path.Combine(node.DataDirectory, "keys");
        CreatePrivateDirectory(keys);

        // An authority identity key without a passphrase (an empty line on the passphrase fd), certifying a signing key
        // for 12 months, for the authority's DirPort address.
        await ToolRun.RunAsync(
            "tor-gencert",
            [
                "--create-identity-key", "--passphrase-fd", "0", "-m", "12",
                "-a", string.Create(CultureInfo.InvariantCulture, $"{TorNode.Address}:{node.DirPort}"),
                "-i", "authority_identity_key", "-s", "authority_signing_key", "-c", "authority_certificate",
            ],
            keys,
            "\n",
            cancellationToken).ConfigureAwait(false);
        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(keys, "authority_certificate"), cancellationToken).ConfigureAwait(false))
        {
            var words = line.Split(' ');
            if (words.Length == 2 && words[0] == "fingerprint" && ControlEvents.IsFingerprint(words[1]))
            {
                return words[1];
            }
        }

        throw new TorBenchmarkException($"tor-gencert wrote no fingerprint for {node.Nickname}.");
    }

    private static async Task<string> CreateRelayKeysAsync(TorNode node, string emptyTorrc, CancellationToken cancellationToken)
    {
        // tor generates the relay's identity keys in its data directory and writes their fingerprint; a placeholder
        // authority line satisfies its check that a test network names its own authorities.
        await ToolRun.RunAsync(
            TorProcess.TorBinary,
            [
                "--list-fingerprint", "--defaults-torrc", emptyTorrc, "-f", emptyTorrc,
                "--DataDirectory", node.DataDirectory,
                "--ORPort", node.OrPort.ToString(CultureInfo.InvariantCulture),
                "--DirAuthority", "placeholder 127.0.0.1:1 ffffffffffffffffffffffffffffffffffffffff",
                "--Log", "err stderr",
            ],
            node.DataDirectory,
            "",
            cancellationToken).ConfigureAwait(false);
        var words = (await File.ReadAllTextAsync(Path.Combine(node.DataDirectory, "fingerprint"), cancellationToken).ConfigureAwait(false))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return words.Length == 2 && ControlEvents.IsFingerprint(words[1])
            ? words[1]
            : throw new TorBenchmarkException($"tor --list-fingerprint wrote no fingerprint for {node.Nickname}.");
    }

    private static void CreatePrivateDirectory(string path) =>
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    /// <summary><paramref name="count"/> distinct free TCP ports on 127.0.0.1 (all held while choosing, then released).</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
                listener.Dispose();
            }
        }
    }
}
