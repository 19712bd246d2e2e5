using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace HiddenPoint.Testnet.Users;

/// <summary>
/// The testnet's users, started once the consensus lists every relay, with the user's own program: for each user
/// (alice, bob, then user3, user4, …) <c>hpc-client init</c> in <c>STATE/users/NAME</c> pinning the testnet's
/// authorities, and every user adds every other as a contact (in its store: no network needed); then
/// <c>hpc-client daemon</c> as a recorded process (so stop, status and logs cover it); each user sends every other one
/// message as soon as the recipient's hidden point is published
/// (<c>hpc-client send</c>, which waits for the acknowledgement), all at once; the run prints delivered/expected, the
/// slowest delivery and the command to talk as each user.
/// </summary>
internal sealed class UserStep
{
    /// <summary>How long one <c>hpc-client</c> command (init, status, contacts, send) may take.</summary>
    private static readonly TimeSpan s_commandLimit = TimeSpan.FromSeconds(90);

    private readonly TestnetState _state;
    private readonly string _stateDirectory;
    private readonly Progress _progress;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, Process> _processes;

    public UserStep(TestnetState state, string stateDirectory, Progress progress, TimeProvider clock, Dictionary<string, Process> processes)
    {
        _state = state;
        _stateDirectory = stateDirectory;
        _progress = progress;
        _clock = clock;
        _processes = processes;
    }

    /// <summary>The users' names: alice, bob, user3, user4, …</summary>
    public static string NameOf(int index) => index switch
    {
        0 => "alice",
        1 => "bob",
        _ => "user" + (index + 1).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A user's data directory.</summary>
    public static string DataDirectoryOf(string stateDirectory, string name) => Path.Combine(stateDirectory, "users", name);

    /// <summary>The file holding a user's passphrase (testnet only: a real user types it or keeps it elsewhere).</summary>
    public static string PassphraseFileOf(string stateDirectory, string name) => Path.Combine(stateDirectory, "users", name + ".passphrase");

    /// <summary>Makes each user's identity and store (no network needed), recorded in the state as nodes not yet started.</summary>
    public async Task InitializeAsync(int count, CancellationToken cancel)
    {
        Directory.CreateDirectory(Path.Combine(_stateDirectory, "users"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _progress.Show($"making {count} users (hpc-client init)...");
        var made = await Task.WhenAll(Enumerable.Range(0, count).Select(i => InitializeOneAsync(NameOf(i), cancel))).ConfigureAwait(false);
        _state.Nodes.AddRange(made);
        _state.Save(_stateDirectory);

        // Contacts too need no network: each store takes them before its daemon starts, which then reads them.
        await AddEachOtherAsync(cancel).ConfigureAwait(false);
        _progress.Done($"{count} users made, each a contact of every other: {string.Join(", ", made.Select(u => u.Name))} (hpc-client init, contacts add)");
    }

    /// <summary>Starts each user's daemon and waits until each listens.</summary>
    public async Task StartAsync(TimeSpan limit, CancellationToken cancel)
    {
        foreach (var user in _state.Users)
        {
            StartDaemon(user);
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        bound.CancelAfter(limit);
        try
        {
            while (!_state.Users.All(u => File.Exists(SocketOf(u))))
            {
                CheckAlive();
                _progress.Show("users' daemons starting...");
                await Task.Delay(TimeSpan.FromMilliseconds(100), _clock, bound.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new TestnetException($"the users' daemons did not listen in time; see {_state.Users.First().LogFile}.");
        }

        _progress.Done($"{_state.Users.Count()} users' daemons up (hpc-client daemon)");
    }

    /// <summary>Starts (or starts again) one user's daemon as a recorded process; does not wait for it.</summary>
    public void StartDaemon(NodeRecord user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var process = NodeProcesses.Start(
            NodePrograms.Client, ["daemon", "--data-dir", DataDirectoryOf(_stateDirectory, user.Name), "--config", user.ConfigFile], user.LogFile, Environment(user.Name));
        _processes.Remove(user.Name, out var previous);
        previous?.Dispose();
        _processes[user.Name] = process;
        user.ProcessId = process.Id;
        _state.Save(_stateDirectory);
    }

    // Completes for each user once its hidden point is published (hpc-client status through its daemon).
    private async Task WatchPublicationAsync(Dictionary<string, TaskCompletionSource> published, TimeSpan limit, CancellationToken cancel)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        bound.CancelAfter(limit);
        var waiting = _state.Users.ToList();
        try
        {
            while (waiting.Count > 0)
            {
                CheckAlive();
                var now = await Task.WhenAll(waiting.Select(u => IsPublishedAsync(u, bound.Token))).ConfigureAwait(false);
                foreach (var user in waiting.Where((_, i) => now[i]))
                {
                    published[user.Name].TrySetResult();
                }

                waiting = [.. waiting.Where((_, i) => !now[i])];
                _progress.Show($"users online: {_state.Users.Count() - waiting.Count} of {_state.Users.Count()} hidden points published; sending to those that are");
                if (waiting.Count > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), _clock, bound.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            var late = new TestnetException($"{string.Join(", ", waiting.Select(u => u.Name))} did not publish a hidden point in time; see {waiting[0].LogFile}.");
            foreach (var user in waiting)
            {
                published[user.Name].TrySetException(late);
            }

            throw late;
        }
    }

    private async Task AddEachOtherAsync(CancellationToken cancel)
    {
        var users = _state.Users.ToList();
        _progress.Show("users adding each other as contacts...");
        await Task.WhenAll(users.Select(async user =>
        {
            // One user's additions one after another (its daemon's store), the users' side by side.
            foreach (var other in users.Where(o => o != user))
            {
                await ClientAsync(user.Name, ["contacts", "add", other.Identity, other.Name], cancel).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
    }

    private string SocketOf(NodeRecord user) => Path.Combine(DataDirectoryOf(_stateDirectory, user.Name), "client.sock");

    /// <summary>
    /// Every user sends one message to every other, each as soon as the recipient's hidden point is published (within
    /// <paramref name="limit"/>); returns delivered, expected, the slowest delivery after the first send, and the first
    /// delivery's time after the first send.
    /// </summary>
    public async Task<(int Delivered, int Expected, TimeSpan Slowest, TimeSpan FirstDelivered)> ExchangeAsync(TimeSpan limit, CancellationToken cancel)
    {
        var users = _state.Users.ToList();
        var published = users.ToDictionary(u => u.Name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var watching = WatchPublicationAsync(published, limit, cancel);
        var pairs = users.SelectMany(from => users.Where(to => to != from).Select(to => (From: from, To: to))).ToList();
        var started = _clock.GetTimestamp();

        // At most 8 sends (each an hpc-client process) at a time: 10 users make 90 of them.
        using var slots = new SemaphoreSlim(8);
        var results = await Task.WhenAll(pairs.Select(async pair =>
        {
            await published[pair.To.Name].Task.ConfigureAwait(false);
            await slots.WaitAsync(cancel).ConfigureAwait(false);
            try
            {
                var (exit, output, _) = await ClientAsync(
                    pair.From.Name, ["send", pair.To.Identity, $"hello {pair.To.Name}, this is {pair.From.Name}", "--timeout", "60", "--json"], cancel, check: false).ConfigureAwait(false);
                return (Delivered: exit == 0, Elapsed: _clock.GetElapsedTime(started), Output: output);
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);
        await watching.ConfigureAwait(false);
        var delivered = results.Where(r => r.Delivered).ToList();
        var slowest = delivered.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $", slowest {delivered.Max(r => r.Elapsed).TotalSeconds:0.0} s after the daemons were up") : "";
        _progress.Done($"every hidden point published; messages delivered: {delivered.Count}/{pairs.Count}{slowest}");
        return (delivered.Count, pairs.Count, delivered.Count > 0 ? delivered.Max(r => r.Elapsed) : TimeSpan.Zero, delivered.Count > 0 ? delivered.Min(r => r.Elapsed) : TimeSpan.Zero);
    }

    /// <summary>The command that talks as <paramref name="from"/> to <paramref name="to"/>.</summary>
    public string ConnectCommand(NodeRecord from, NodeRecord to) =>
        $"HPC_PASSPHRASE_FILE={PassphraseFileOf(_stateDirectory, from.Name)} dotnet {NodePrograms.Client} connect --data-dir {DataDirectoryOf(_stateDirectory, from.Name)} {to.Identity}";

    private async Task<NodeRecord> InitializeOneAsync(string name, CancellationToken cancel)
    {
        var data = DataDirectoryOf(_stateDirectory, name);
        var passphrase = PassphraseFileOf(_stateDirectory, name);
        await File.WriteAllTextAsync(passphrase, "testnet passphrase of " + name + "\n", cancel).ConfigureAwait(false);
        File.SetUnixFileMode(passphrase, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var authorities = _state.Authorities.SelectMany(a => new[] { "--authority", $"{a.Name},{a.Endpoint},{a.Identity}" });
        var (exit, output, error) = await NodeProcesses.RunToEndAsync(NodePrograms.Client, ["init", "--data-dir", data, .. authorities], s_commandLimit, Environment(name)).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new TestnetException($"hpc-client init for {name} failed (exit {exit}): {error.Trim()}");
        }

        TuneForTestnet(Path.Combine(data, "client.json"));
        var hiddenId = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("hidden-id: ", StringComparison.Ordinal))?["hidden-id: ".Length..]
            ?? throw new TestnetException($"hpc-client init for {name} printed no hidden-id.");
        return new NodeRecord
        {
            Name = name,
            Role = NodeRole.User,
            Address = "127.0.0.1",
            Port = 0,
            Identity = hiddenId,
            ConfigFile = Path.Combine(data, "client.json"),
            LogFile = Path.Combine(_stateDirectory, "logs", name + ".log"),
        };
    }

    // Testnet timing, set only here in the users' own client.json: a hidden point publishes 0.5 s after its introduction
    // points settle (2 s by default) and retries a failed upload after 2 s (60 s by default), on a network whose
    // relays are all minutes old.
    private static void TuneForTestnet(string clientJson)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(clientJson))?.AsObject()
            ?? throw new TestnetException($"{clientJson} is not a JSON object.");
        var client = root["Client"]?.AsObject() ?? throw new TestnetException($"{clientJson} has no Client section.");
        client["Hosting"] = new System.Text.Json.Nodes.JsonObject
        {
            ["PublishSettleDelay"] = "00:00:00.5",
            ["PublishRetryInterval"] = "00:00:02",
        };
        File.WriteAllText(clientJson, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private async Task<bool> IsPublishedAsync(NodeRecord user, CancellationToken cancel)
    {
        // Until the daemon listens, `status` would open the store itself and could take it from the starting daemon.
        if (!File.Exists(SocketOf(user)))
        {
            return false;
        }

        var (exit, output, _) = await ClientAsync(user.Name, ["status", "--json"], cancel, check: false).ConfigureAwait(false);
        if (exit != 0)
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(output);
            return json.RootElement.TryGetProperty("published", out var published) && published.GetBoolean();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private async Task<(int Exit, string Output, string Error)> ClientAsync(string user, IEnumerable<string> args, CancellationToken cancel, bool check = true)
    {
        cancel.ThrowIfCancellationRequested();
        var result = await NodeProcesses.RunToEndAsync(
            NodePrograms.Client, [.. args, "--data-dir", DataDirectoryOf(_stateDirectory, user)], s_commandLimit, Environment(user)).ConfigureAwait(false);
        if (check && result.ExitCode != 0)
        {
            throw new TestnetException($"hpc-client {string.Join(' ', args)} as {user} failed (exit {result.ExitCode}): {result.Error.Trim()}");
        }

        return result;
    }

    private Dictionary<string, string> Environment(string user) => new()
    {
        ["HPC_PASSPHRASE_FILE"] = PassphraseFileOf(_stateDirectory, user),
    };

    private void CheckAlive()
    {
        foreach (var user in _state.Users)
        {
            if (_processes.TryGetValue(user.Name, out var process) && process.HasExited)
            {
                var tail = File.Exists(user.LogFile) ? File.ReadLines(user.LogFile).TakeLast(5) : [];
                throw new TestnetException(
                    $"{user.Name}'s daemon exited with code {process.ExitCode}; the end of {user.LogFile}:{System.Environment.NewLine}  " +
                    string.Join(System.Environment.NewLine + "  ", tail));
            }
        }
    }
}
