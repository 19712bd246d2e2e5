using System.Security.Cryptography;
using HiddenPoint.Client.Api.Daemon;

namespace HiddenPoint.IntegrationTests.ClientDaemon;

/// <summary>
/// The daemon's refusals to start, each with its clear message and documented exit code: a second daemon on the same
/// data directory, a wrong passphrase, a damaged database (left untouched). No network is needed: the daemon takes the
/// store's lock before it bootstraps, and an authority nothing listens on keeps it bootstrapping.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DaemonStartupErrorTests : IDisposable
{
    private readonly PrivateTempFolder _root = new("hpc-daemon-");
    private readonly List<DaemonProcess> _daemons = [];

    [Fact]
    public async Task A_second_daemon_on_the_same_data_directory_says_another_runs_and_exits_75_while_the_first_goes_on()
    {
        var data = Configure("alice");
        var first = Start(data, "first passphrase");
        await first.WaitForErrorOutputAsync("Startup: Bootstrapping", TestTimeouts.Host);

        var second = Start(data, "first passphrase");
        Assert.Equal(DaemonProgram.ExitInUse, await second.WaitForExitAsync(TestTimeouts.Host));
        Assert.Contains($"another hpc-client daemon is running on {data}", second.Errors, StringComparison.Ordinal);

        // The first was not disturbed; SIGTERM stops it cleanly even while it bootstraps.
        first.Terminate();
        Assert.Equal(DaemonProgram.ExitOk, await first.WaitForExitAsync(TestTimeouts.Host));
    }

    [Fact]
    public async Task A_wrong_passphrase_is_a_clear_error_with_exit_77()
    {
        var data = Configure("alice");
        var creator = Start(data, "the right passphrase");
        await creator.WaitForErrorOutputAsync("Startup: Bootstrapping", TestTimeouts.Host);
        creator.Terminate();
        Assert.Equal(DaemonProgram.ExitOk, await creator.WaitForExitAsync(TestTimeouts.Host));

        var wrong = Start(data, "a wrong passphrase");
        Assert.Equal(DaemonProgram.ExitNoPermission, await wrong.WaitForExitAsync(TestTimeouts.Host));
        Assert.Contains($"wrong passphrase for the message store in {data}", wrong.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_database_is_a_clear_error_with_exit_65_and_the_file_is_left_untouched()
    {
        var data = Configure("alice");
        var database = Path.Combine(data, "messages.db");
        var garbage = RandomNumberGenerator.GetBytes(8192);
        File.WriteAllBytes(database, garbage);
        File.SetUnixFileMode(database, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var daemon = Start(data, "any passphrase");
        Assert.Equal(DaemonProgram.ExitDataError, await daemon.WaitForExitAsync(TestTimeouts.Host));
        Assert.Contains(database, daemon.Errors, StringComparison.Ordinal);
        Assert.Contains("left untouched", daemon.Errors, StringComparison.Ordinal);
        Assert.Equal(garbage, File.ReadAllBytes(database));
        Assert.False(File.Exists(Path.Combine(data, "client.sock")));
    }

    public void Dispose()
    {
        foreach (var daemon in _daemons)
        {
            daemon.Dispose();
        }

        _root.Dispose();
    }

    // An authority on a loopback port nothing listens on: the daemon opens its store, then bootstraps until stopped.
    private string Configure(string name)
    {
        var data = _root.File(name);
        using var identity = HiddenPoint.Crypto.Keys.AuthorityIdentityKey.Generate();
        DaemonProcess.Configure(data, [("auth1", "127.0.0.1:" + LoopbackPorts.Unused(), identity.Id.ToString())]);
        return data;
    }

    private DaemonProcess Start(string data, string passphrase)
    {
        var daemon = DaemonProcess.Start(data, passphrase);
        _daemons.Add(daemon);
        return daemon;
    }
}
