using System.Diagnostics;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Relay.Keys;

namespace HiddenPoint.Relay.Tests.Hosting;

/// <summary>The hpc-relay program as an operator runs it: a real process, its output and exit code.</summary>
public sealed class ProgramTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string[] RunArgs(string dataDirectory, params string[] more) =>
    [
        "run",
        "--Relay:DataDirectory=" + dataDirectory,
        "--Relay:Nickname=TestRelay",
        "--Relay:ListenAddress=127.0.0.1",
        "--Relay:ListenPort=0",
        "--Relay:Authorities:0:Nickname=auth1",
        "--Relay:Authorities:0:Address=127.0.0.1:" + LoopbackPorts.Unused(),
        "--Relay:Authorities:0:Identity=" + AuthorityIdentityKey.Generate().Id,
        .. more,
    ];

    [Fact]
    public async Task Help_teaches_commands_every_option_environment_form_example_and_exit_codes()
    {
        var (code, output, _) = await HostingFixtures.RunRelayAsync(["--help"]);
        Assert.Equal(0, code);
        foreach (var text in new[]
        {
            "keygen", "--data-dir", "--force", "run", "--config", "--version", "HPC_RELAY__Relay__Nickname",
            "DataDirectory", "Nickname", "ListenAddress", "ListenPort", "AdvertisedAddress", "AdvertisedPort", "Bandwidth",
            "Family", "Authorities:N:Identity", "ShutdownWaitLength", "DescriptorPublishInterval", "ConsensusFetchInterval",
            "AuthorityRequestTimeout", "CircuitHandshakeKeyLifetime", "CircuitHandshakeKeyOverlap", "LinkKeyLifetime",
            "LinkKeyOverlap", "PrometheusEndpoint", "OtlpEndpoint", "Example configuration file", "Exit codes", "64", "78",
            "(default 00:00:30)", "(default 01:00:00)",
        })
        {
            Assert.Contains(text, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Version_and_usage_errors()
    {
        var (code, output, _) = await HostingFixtures.RunRelayAsync(["--version"]);
        Assert.Equal(0, code);
        Assert.StartsWith("hpc-relay ", output, StringComparison.Ordinal);

        (code, _, var error) = await HostingFixtures.RunRelayAsync(["frobnicate"]);
        Assert.Equal(64, code);
        Assert.Contains("unknown command 'frobnicate'", error, StringComparison.Ordinal);

        (code, _, _) = await HostingFixtures.RunRelayAsync([]);
        Assert.Equal(64, code);

        (code, _, error) = await HostingFixtures.RunRelayAsync(["keygen", "--bogus"]);
        Assert.Equal(64, code);
        Assert.Contains("usage: hpc-relay keygen", error, StringComparison.Ordinal);

        (code, _, error) = await HostingFixtures.RunRelayAsync(["run", "stray"]);
        Assert.Equal(64, code);
        Assert.Contains("--Section:Option=value", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keygen_writes_an_owner_only_identity_refuses_to_overwrite_and_replaces_with_force()
    {
        var (code, output, _) = await HostingFixtures.RunRelayAsync(["keygen", "--data-dir", _folder.Path]);
        Assert.Equal(0, code);
        var path = _folder.File(RelayKeyStore.IdentityFileName);
        using var first = KeyFile.Read<RelayIdentityKey>(path);
        Assert.Contains("relay id " + first.Id, output, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder.Path));
        }

        var before = File.ReadAllBytes(path);
        (code, _, var error) = await HostingFixtures.RunRelayAsync(["keygen", "--data-dir", _folder.Path]);
        Assert.Equal(1, code);
        Assert.Contains("--force", error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));

        (code, output, _) = await HostingFixtures.RunRelayAsync(["keygen", "--data-dir", _folder.Path, "--force"]);
        Assert.Equal(0, code);
        using var second = KeyFile.Read<RelayIdentityKey>(path);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Contains("relay id " + second.Id, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_without_an_identity_says_to_run_keygen()
    {
        var (code, _, error) = await HostingFixtures.RunRelayAsync(RunArgs(_folder.Path));
        Assert.Equal(78, code);
        Assert.Contains("hpc-relay keygen --data-dir " + _folder.Path, error, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.File(RelayKeyStore.LinkKeyFileName)));
    }

    [Fact]
    public async Task Run_with_a_corrupt_identity_refuses_to_start_and_keeps_the_file()
    {
        using (HostingFixtures.WriteIdentity(_folder.Path))
        {
        }

        var path = _folder.File(RelayKeyStore.IdentityFileName);
        var corrupt = File.ReadAllBytes(path)[..40];
        File.WriteAllBytes(path, corrupt);
        var (code, _, error) = await HostingFixtures.RunRelayAsync(RunArgs(_folder.Path));
        Assert.Equal(78, code);
        Assert.Contains("does not start rather than take a new identity", error, StringComparison.Ordinal);
        Assert.Equal(corrupt, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task Run_with_bad_options_names_each_and_exits_78()
    {
        using (HostingFixtures.WriteIdentity(_folder.Path))
        {
        }

        var (code, _, error) = await HostingFixtures.RunRelayAsync(
            RunArgs(_folder.Path, "--Relay:Nickname=bad name", "--Telemetry:PrometheusEndpoint=http://192.0.2.1:9464/metrics"));
        Assert.Equal(78, code);
        Assert.Contains("Relay:Nickname:", error, StringComparison.Ordinal);
        Assert.Contains("Telemetry:PrometheusEndpoint:", error, StringComparison.Ordinal);

        (code, _, error) = await HostingFixtures.RunRelayAsync(["run", "--config", _folder.File("missing.json")]);
        Assert.Equal(78, code);
        Assert.Contains("cannot read the configuration", error, StringComparison.Ordinal);

        (code, _, error) = await HostingFixtures.RunRelayAsync(RunArgs(_folder.Path, "--Relay:ListenPort=many"));
        Assert.Equal(78, code);
        Assert.Contains("ListenPort", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_environment_variables_configure_the_relay()
    {
        var (code, _, error) = await HostingFixtures.RunRelayAsync(
            ["run", "--Relay:DataDirectory=" + _folder.Path],
            new Dictionary<string, string> { ["HPC_RELAY__Relay__Nickname"] = "bad name" });
        Assert.Equal(78, code);
        Assert.Contains("Relay:Nickname: 'bad name'", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// The relay as systemd stops it: started on 127.0.0.1 port 0, SIGTERM, and a clean exit 0 within the drain wait
    /// plus 2 s.
    /// </summary>
    [Fact]
    public async Task Run_then_SIGTERM_exits_0_within_the_wait()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using (HostingFixtures.WriteIdentity(_folder.Path))
        {
        }

        var wait = TimeSpan.FromSeconds(2);
        using var process = HostingFixtures.StartRelay(RunArgs(_folder.Path, "--Relay:ShutdownWaitLength=00:00:02"));
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("listening on 127.0.0.1:", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await Task.WhenAny(listening.Task, process.WaitForExitAsync()).WaitAsync(TestTimeouts.Host);
            if (!listening.Task.IsCompleted)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("not listening: " + output + await error.WaitAsync(TestTimeouts.Host));
            }

            var stopwatch = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync().WaitAsync(TestTimeouts.Host);
            }

            await process.WaitForExitAsync().WaitAsync(wait + TimeSpan.FromSeconds(2));
            Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, wait + TimeSpan.FromSeconds(2));
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {output}{await error}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
