using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HiddenPoint.Client.Api.Connecting;

namespace HiddenPoint.IntegrationTests.ClientDaemon;

/// <summary>
/// A real <c>hpc-client daemon</c> process, run with <c>dotnet</c> from its own output folder (ChildProgram.Locate), its passphrase in
/// HPC_PASSPHRASE and its standard error kept. Killed (SIGKILL) when disposed if it still runs, also when a test fails.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _errorsEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DaemonProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    /// <summary>The API connections each daemon serves at once (<c>Api:MaxConnections</c>), small so a test can reach it.</summary>
    public const int MaxConnections = 6;

    public string DataDirectory { get; }

    public string SocketPath => Path.Combine(DataDirectory, HiddenPoint.Client.Api.Contract.ApiWire.SocketFileName);

    public int Id => _process.Id;

    /// <summary>What the daemon wrote to standard error so far.</summary>
    public string Errors
    {
        get
        {
            lock (_gate)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>
    /// Writes <c>client.json</c> into <paramref name="dataDirectory"/> (created owner-only): create the store and
    /// identity when missing, the cheapest Argon2id parameters, fast retries, and the given authorities
    /// (name, host:port, identity), and at most <see cref="MaxConnections"/> API connections.
    /// </summary>
    public static void Configure(string dataDirectory, IEnumerable<(string Nickname, string Address, string Identity)> authorities)
    {
        Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var configuration = new JsonObject
        {
            ["Client"] = new JsonObject
            {
                ["CreateIfMissing"] = true,
                ["Store"] = new JsonObject { ["KdfMemoryKib"] = 8, ["KdfPasses"] = 1 },
                ["Directory"] = new JsonObject
                {
                    ["RetryInitial"] = "00:00:00.250",
                    ["RetryMax"] = "00:00:02",
                    ["Authorities"] = new JsonArray([.. authorities.Select(a => (JsonNode)new JsonObject
                    {
                        ["Nickname"] = a.Nickname,
                        ["Address"] = a.Address,
                        ["Identity"] = a.Identity,
                    })]),
                },
                ["Messaging"] = new JsonObject { ["RetryInitialDelay"] = "00:00:00.500", ["RetryMaxDelay"] = "00:00:03" },
            },
            ["Api"] = new JsonObject { ["MaxConnections"] = MaxConnections },
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Information" } },
        };
        File.WriteAllText(Path.Combine(dataDirectory, "client.json"), configuration.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Starts <c>hpc-client daemon --data-dir DIR</c> with <paramref name="passphrase"/>.</summary>
    public static DaemonProcess Start(string dataDirectory, string passphrase)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ChildProgram.Locate("hpc-client"));
        start.ArgumentList.Add("daemon");
        start.ArgumentList.Add("--data-dir");
        start.ArgumentList.Add(dataDirectory);
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("HPC_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["HPC_PASSPHRASE"] = passphrase;
        var process = Process.Start(start)!;
        var daemon = new DaemonProcess(process, dataDirectory);
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                daemon._errorsEnded.TrySetResult();
                return;
            }

            lock (daemon._gate)
            {
                daemon._errors.AppendLine(line.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return daemon;
    }

    /// <summary>Waits until standard error holds <paramref name="text"/>.</summary>
    public async Task WaitForErrorOutputAsync(string text, TimeSpan bound)
    {
        using var deadline = new CancellationTokenSource(bound);
        while (!Errors.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The daemon exited ({_process.ExitCode}) before writing '{text}':\n{Errors}");
            }

            try
            {
                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The daemon did not write '{text}' within {bound}:\n{Errors}");
            }
        }
    }

    /// <summary>Connects to the daemon's API once it listens (it does after bootstrapping).</summary>
    public async Task<ClientApiConnection> ConnectAsync(TimeSpan bound)
    {
        using var deadline = new CancellationTokenSource(bound);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The daemon exited ({_process.ExitCode}):\n{Errors}");
            }

            try
            {
                return await ClientApiConnection.ConnectAsync(DataDirectory, deadline.Token);
            }
            catch (DaemonNotRunningException)
            {
                try
                {
                    await Task.Delay(100, deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"The daemon's API did not answer within {bound}:\n{Errors}");
                }
            }
        }
    }

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan bound)
    {
        using var deadline = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            await _errorsEnded.Task.WaitAsync(bound);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The daemon did not exit within {bound}:\n{Errors}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM (a clean stop).</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>Sends SIGKILL (a crash, as far as the daemon can tell).</summary>
    public void KillHard() => Signal("KILL");

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit(10_000);
    }
}
