namespace HiddenPoint.Testnet;

/// <summary><c>hpc-testnet logs [NODE]</c>: one node's whole log, or the last lines of every node's.</summary>
internal static class LogsCommand
{
    private const int LinesEach = 5;

    public static async Task<int> RunAsync(string stateDirectory, string? node, TextWriter output)
    {
        var state = TestnetState.Load(stateDirectory);
        if (state is null)
        {
            await Console.Error.WriteLineAsync($"hpc-testnet logs: no testnet in {stateDirectory}.").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        if (node is not null)
        {
            var record = state.Nodes.FirstOrDefault(n => n.Name == node);
            if (record is null)
            {
                await Console.Error.WriteLineAsync($"hpc-testnet logs: no node '{node}'; the nodes are {string.Join(", ", state.Nodes.Select(n => n.Name))}.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (File.Exists(record.LogFile))
            {
                await using var log = new FileStream(record.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(log);
                await output.WriteAsync(await reader.ReadToEndAsync().ConfigureAwait(false)).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }

        foreach (var record in state.Nodes)
        {
            await output.WriteLineAsync($"==> {record.Name}: {record.LogFile} <==").ConfigureAwait(false);
            if (File.Exists(record.LogFile))
            {
                foreach (var line in File.ReadLines(record.LogFile).TakeLast(LinesEach))
                {
                    await output.WriteLineAsync(line).ConfigureAwait(false);
                }
            }
        }

        return ExitCodes.Ok;
    }
}
