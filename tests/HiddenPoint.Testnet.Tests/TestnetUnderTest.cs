using System.Diagnostics;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Testnet.Tests;

/// <summary>
/// Runs the built testnet program (hpc-testnet) against a state folder of the test's own, each command bounded in
/// time, and on <see cref="Dispose"/> kills every node the state file records that still runs, whatever the test did.
/// </summary>
internal sealed partial class TestnetUnderTest : IDisposable
{
    /// <summary>The longest a command may take: a run waits up to its --timeout (90 s here) for the consensus.</summary>
    public static readonly TimeSpan CommandBound = TimeSpan.FromSeconds(110);

    private readonly string _stateDirectory;

    public TestnetUnderTest(string stateDirectory) => _stateDirectory = stateDirectory;

    /// <summary>Runs <c>hpc-testnet COMMAND ARGS --state-dir STATE</c> and returns its exit code and both outputs.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        using var command = Start(args);
        return await command.WaitAsync();
    }

    /// <summary>As <see cref="RunAsync(string[])"/>, for a command that may take up to <paramref name="bound"/> (a chaos scenario).</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(TimeSpan bound, params string[] args)
    {
        using var command = Start(args);
        return await command.WaitAsync(bound);
    }

    /// <summary>Starts <c>hpc-testnet COMMAND ARGS --state-dir STATE</c>; the caller waits for it with <see cref="Command.WaitAsync"/>.</summary>
    public Command Start(params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "hpc-testnet.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--state-dir");
        start.ArgumentList.Add(_stateDirectory);
        return new Command(Process.Start(start)!, string.Join(' ', args));
    }

    /// <summary>
    /// Waits until <c>testnet.json</c> records a process id for each of <paramref name="nodes"/> nodes, polling for at
    /// most <see cref="TestTimeouts.Host"/> (the run rewrites the file as each node starts).
    /// </summary>
    public async Task<TestnetState> WaitForStartedAsync(int nodes)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Host;
        while (true)
        {
            if (TestnetState.Load(_stateDirectory) is { } state && state.Nodes.Count(n => n.ProcessId > 0) == nodes)
            {
                return state;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the run did not record {nodes} started nodes within {TestTimeouts.Host}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The last lines of every node's log, for a failed assertion's message: the state folder is deleted with the test,
    /// and a node that died (an authority's exit 134, say) is explained only there.
    /// </summary>
    public string LogTails(int lines = 20)
    {
        var text = new System.Text.StringBuilder();
        foreach (var node in TestnetState.Load(_stateDirectory)?.Nodes ?? [])
        {
            text.Append("\n--- ").Append(node.Name).Append(" (").Append(node.LogFile).Append(") ---\n");
            try
            {
                foreach (var line in File.ReadLines(node.LogFile).TakeLast(lines))
                {
                    text.Append(line).Append('\n');
                }
            }
            catch (IOException ex)
            {
                text.Append("(unreadable: ").Append(ex.Message).Append(")\n");
            }
        }

        return text.ToString();
    }

    /// <summary>Every line of every node's log that contains one of <paramref name="secrets"/> (ordinal), with its node.</summary>
    public IReadOnlyList<string> LogLinesContaining(IReadOnlyCollection<string> secrets)
    {
        var found = new List<string>();
        foreach (var node in State().Nodes.Where(n => File.Exists(n.LogFile)))
        {
            found.AddRange(File.ReadLines(node.LogFile)
                .Where(line => secrets.Any(secret => line.Contains(secret, StringComparison.Ordinal)))
                .Select(line => node.Name + ": " + line));
        }

        return found;
    }

    /// <summary>
    /// The log lines that break TEST-MATRIX §4.0's common pass conditions: every Error or Critical line, every line
    /// marked as a bug ("Bug:"), and every Warning whose event id is not in <paramref name="allowedWarnings"/>.
    /// </summary>
    public IReadOnlyList<string> LogProblems(IReadOnlySet<int> allowedWarnings)
    {
        var found = new List<string>();
        foreach (var node in State().Nodes.Where(n => File.Exists(n.LogFile)))
        {
            foreach (var line in File.ReadLines(node.LogFile))
            {
                var entry = LogLine().Match(line);
                var problem = line.Contains("Bug:", StringComparison.Ordinal)
                    || (entry.Success && entry.Groups["level"].Value is "fail" or "crit")
                    || (entry.Success && entry.Groups["level"].Value == "warn" && !allowedWarnings.Contains(int.Parse(entry.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture)));
                if (problem)
                {
                    found.Add(node.Name + ": " + line);
                }
            }
        }

        return found;
    }

    // The console logger's line: "2026-12-07 20:28:41 warn: Category[EventId] message".
    [System.Text.RegularExpressions.GeneratedRegex(@"^\S+ \S+ (?<level>[a-z]{4}): \S+\[(?<id>\d+)\]")]
    private static partial System.Text.RegularExpressions.Regex LogLine();

    public TestnetState State() => TestnetState.Load(_stateDirectory) ?? throw new InvalidOperationException("no testnet.json was written");

    /// <summary>
    /// The newest consensus the authorities themselves saved (DATADIR/consensus, written when they publish), checked
    /// against the testnet's authority identities, without any help from the testnet program.
    /// </summary>
    public static Consensus NewestPublishedConsensus(TestnetState state)
    {
        var pinned = state.Authorities.Select(a => new AuthorityId(Key(a.Identity))).ToArray();
        Consensus? newest = null;
        foreach (var authority in state.Authorities)
        {
            var path = Path.Combine(Path.GetDirectoryName(authority.ConfigFile)!, "consensus");
            if (!File.Exists(path) || !UnverifiedConsensus.TryParse(File.ReadAllBytes(path), out var unverified, out _))
            {
                continue;
            }

            var signed = unverified.VerifySignatures(pinned);
            Assert.True(signed.IsValid, $"{authority.Name}'s consensus: {signed}");

            // Only the signatures matter here: the network was stopped, so the document may have aged past its window.
            var consensus = signed.Value.CheckValidAt(signed.Value.ValidFrom, TimeSpan.Zero, null).Value!;
            if (newest is null || consensus.ValidAfter > newest.ValidAfter)
            {
                newest = consensus;
            }
        }

        return newest ?? throw new InvalidOperationException("no authority saved a consensus");
    }

    public static Ed25519PublicKey Key(string identity) => Ed25519PublicKey.FromBytes(Convert.FromBase64String(identity + "="));

    public void Dispose()
    {
        var state = TestnetState.Load(_stateDirectory);
        foreach (var node in state?.Nodes ?? [])
        {
            if (NodeProcesses.IsRunning(node))
            {
                try
                {
                    using var process = Process.GetProcessById(node.ProcessId);
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(TestTimeouts.Step);
                }
                catch (ArgumentException)
                {
                    // It ended between the check and the kill.
                }
            }
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>One running hpc-testnet command and its collected output.</summary>
    internal sealed class Command : IDisposable
    {
        private readonly Process _process;
        private readonly string _what;
        private readonly Task<string> _output;
        private readonly Task<string> _error;

        public Command(Process process, string what)
        {
            _process = process;
            _what = what;
            _output = process.StandardOutput.ReadToEndAsync();
            _error = process.StandardError.ReadToEndAsync();
        }

        /// <summary>Waits at most <paramref name="limit"/> (default <see cref="CommandBound"/>) for the command to exit; kills it after that.</summary>
        public async Task<(int ExitCode, string Output)> WaitAsync(TimeSpan? limit = null)
        {
            using var bound = new CancellationTokenSource(limit ?? CommandBound);
            try
            {
                await _process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException($"hpc-testnet {_what} did not finish within {limit ?? CommandBound}:\n{await _output}{await _error}");
            }

            return (_process.ExitCode, await _output + await _error);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }
}
