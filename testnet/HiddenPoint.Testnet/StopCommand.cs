namespace HiddenPoint.Testnet;

/// <summary><c>hpc-testnet stop</c>: stops every recorded node by its process id (SIGTERM, bounded wait, SIGKILL).</summary>
internal static class StopCommand
{
    public static async Task<int> RunAsync(string stateDirectory, TextWriter output, TimeProvider clock, bool keepingState = true)
    {
        var state = TestnetState.Load(stateDirectory);
        var running = state?.Nodes.Where(NodeProcesses.IsRunning).ToList() ?? [];
        if (running.Count == 0)
        {
            await output.WriteLineAsync($"No testnet is running in {stateDirectory}.").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        await output.WriteLineAsync($"Stopping {running.Count} nodes (SIGTERM; SIGKILL after {RunCommand.StopGrace.TotalSeconds:0} s)...").ConfigureAwait(false);
        var (killed, left) = await NodeProcesses.StopAsync(running, RunCommand.StopGrace, clock).ConfigureAwait(false);
        if (killed.Count > 0)
        {
            await output.WriteLineAsync($"{killed.Count} needed SIGKILL: {string.Join(", ", killed.Select(n => n.Name))}.").ConfigureAwait(false);
        }

        if (left.Count > 0)
        {
            await Console.Error.WriteLineAsync($"hpc-testnet stop: still running: {string.Join(", ", left.Select(n => $"{n.Name} (pid {n.ProcessId})"))}.").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await output.WriteLineAsync(keepingState
            ? $"Stopped {running.Count} nodes. Keys, configuration and logs stay in {stateDirectory} (`run.sh clean` removes them)."
            : $"Stopped {running.Count} nodes.").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
