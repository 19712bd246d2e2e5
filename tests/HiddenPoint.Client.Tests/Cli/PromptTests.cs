using HiddenPoint.Testing;

namespace HiddenPoint.Client.Tests.Cli;

/// <summary>
/// The passphrase asked at a terminal: hpc-client on a pseudo-terminal (util-linux's script), typed to as a user would,
/// once the prompt is on the screen.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PromptTests : IDisposable
{
    private const string Secret = "tr0ub4dor&3";
    private readonly PrivateTempFolder _folder = new("hpc-cli-prompt-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Init_asks_for_the_passphrase_twice_without_echo_and_check_asks_once()
    {
        var data = _folder.File("data");
        await using (var init = Start(["init", "--data-dir", data]))
        {
            await init.WaitForAsync("New passphrase for the message store: ");
            await init.TypeAsync(Secret + "\r");
            await init.WaitForAsync("The same passphrase again: ");
            await init.TypeAsync("something else\r");
            await init.WaitForAsync("The two passphrases differ; once more.");
            await init.WaitForAsync("New passphrase for the message store: ");
            await init.TypeAsync(Secret + "\r");
            await init.WaitForAsync("The same passphrase again: ");
            await init.TypeAsync(Secret + "\r");

            Assert.Equal(0, await init.WaitForExitAsync());
            Assert.Contains("hidden-id: ", init.Screen, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, init.Screen, StringComparison.Ordinal);
            Assert.DoesNotContain("something else", init.Screen, StringComparison.Ordinal);
        }

        await using (var wrong = Start(["check", "--data-dir", data]))
        {
            await wrong.WaitForAsync("Passphrase: ");
            await wrong.TypeAsync("not it\r");
            Assert.Equal(77, await wrong.WaitForExitAsync());
        }

        await using var check = Start(["check", "--data-dir", data]);
        await check.WaitForAsync("Passphrase: ");
        await check.TypeAsync(Secret + "\r");
        Assert.Equal(0, await check.WaitForExitAsync());
        Assert.Contains("authenticates", check.Screen, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, check.Screen, StringComparison.Ordinal);
    }

    private static TerminalProgram Start(string[] args) => TerminalProgram.Start(
        "hpc-client",
        args,
        new Dictionary<string, string?> { ["HPC_CLIENT__Store__KdfMemoryKib"] = "8", ["HPC_CLIENT__Store__KdfPasses"] = "1" },
        "HPC_",
        "XDG_");
}
