using System.Text.RegularExpressions;
using HiddenPoint.Testing;

namespace HiddenPoint.Client.Tests.Cli;

/// <summary>
/// Runs the built hpc-client (this project references it, so it sits in the output folder) in a private data
/// directory: nothing of the developer's HPC_ or XDG settings reaches it, and the message store's key derivation is
/// made cheap through the environment, as a user could configure it (HPC_CLIENT__Store__…).
/// </summary>
internal sealed partial class HpcClient : IDisposable
{
    public const string Passphrase = "correct horse battery staple";

    private static readonly ChildProgram s_program = new("hpc-client", "HPC_", "XDG_");
    private readonly PrivateTempFolder _folder = new("hpc-cli-");

    /// <summary>The data directory (not created: init creates it).</summary>
    public string DataDirectory => _folder.File("data");

    /// <summary>A folder of the test's own, for files beside the data directory.</summary>
    public PrivateTempFolder Folder => _folder;

    /// <summary>
    /// Runs hpc-client with <paramref name="args"/> and <c>--data-dir</c> on top, unless <paramref name="dataDir"/> is
    /// false; killed after <paramref name="timeout"/> (<see cref="TestTimeouts.Host"/> when null).
    /// </summary>
    public Task<ChildProgramResult> RunAsync(
        IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, bool dataDir = true, string? standardInput = null, TimeSpan? timeout = null)
    {
        var all = dataDir ? args.Concat(["--data-dir", DataDirectory]) : args;
        var variables = new Dictionary<string, string?>
        {
            ["HPC_CLIENT__Store__KdfMemoryKib"] = "8",
            ["HPC_CLIENT__Store__KdfPasses"] = "1",

            // Without --data-dir the default must not be the developer's own.
            ["XDG_DATA_HOME"] = _folder.File("xdg"),
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }

        return s_program.RunAsync(all, variables, timeout, standardInput);
    }

    /// <summary><c>hpc-client init</c> with the passphrase in HPC_PASSPHRASE; fails the test unless it exits 0.</summary>
    public async Task<string> InitAsync(params string[] extra)
    {
        var result = await RunAsync(["init", .. extra], WithPassphrase(Passphrase));
        Assert.True(result.ExitCode == 0, result.ToString());
        return HiddenIdOf(result.Output);
    }

    public static Dictionary<string, string?> WithPassphrase(string passphrase) => new() { ["HPC_PASSPHRASE"] = passphrase };

    /// <summary>The hidden-id on init's <c>hidden-id: …</c> line.</summary>
    public static string HiddenIdOf(string output)
    {
        var match = HiddenIdLine().Match(output);
        Assert.True(match.Success, "no hidden-id line in:\n" + output);
        return match.Groups[1].Value;
    }

    public void Dispose() => _folder.Dispose();

    [GeneratedRegex(@"^hidden-id: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex HiddenIdLine();
}
