using System.Diagnostics;

namespace HiddenPoint.Client.Tests.Storage;

/// <summary>Runs hpc-store-child (tests/HiddenPoint.Client.StoreChild) from its own output folder.</summary>
internal static class StoreChild
{
    public const string Passphrase = StoreFixture.Secret;

    public static Process Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HiddenPoint.Testing.ChildProgram.Locate("hpc-store-child"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove(Messaging.Storage.PassphraseSource.FileVariable);
        start.Environment[Messaging.Storage.PassphraseSource.EnvironmentVariable] = Passphrase;
        return Process.Start(start)!;
    }

    /// <summary>Runs the child to its end (bounded by the step timeout) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Testing.TestTimeouts.Step * 2);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await error;
        return (process.ExitCode, await output);
    }
}
