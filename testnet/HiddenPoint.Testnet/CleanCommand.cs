namespace HiddenPoint.Testnet;

/// <summary><c>hpc-testnet clean</c>: stops the testnet if it runs, then removes the state folder.</summary>
internal static class CleanCommand
{
    public static async Task<int> RunAsync(string stateDirectory, TextWriter output, TimeProvider clock)
    {
        if (!Directory.Exists(stateDirectory))
        {
            await output.WriteLineAsync($"Nothing to clean: {stateDirectory} does not exist.").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        using (var held = StateLock.TryTake(stateDirectory))
        {
            if (held is null)
            {
                await Console.Error.WriteLineAsync($"hpc-testnet clean: a run is working in {stateDirectory}; wait for it or stop it first.").ConfigureAwait(false);
                return ExitCodes.AlreadyRunning;
            }

            var stopped = await StopCommand.RunAsync(stateDirectory, output, clock, keepingState: false).ConfigureAwait(false);
            if (stopped != ExitCodes.Ok)
            {
                return stopped;
            }
        }

        Directory.Delete(stateDirectory, recursive: true);
        await output.WriteLineAsync($"Removed {stateDirectory}.").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
