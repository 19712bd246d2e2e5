using System.Globalization;

namespace HiddenPoint.Testnet;

/// <summary><c>hpc-testnet status</c>: which nodes are up, and the age and relay count of the newest consensus.</summary>
internal static class StatusCommand
{
    public static async Task<int> RunAsync(string stateDirectory, TextWriter output, TimeProvider clock, CancellationToken cancel)
    {
        var state = TestnetState.Load(stateDirectory);
        if (state is null)
        {
            await output.WriteLineAsync($"No testnet in {stateDirectory} (`run.sh` starts one).").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var up = state.Nodes.Where(NodeProcesses.IsRunning).ToHashSet();
        var started = state.StartedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var bootstrap = state.BootstrapSeconds is { } seconds ? string.Create(CultureInfo.InvariantCulture, $", all relays listed after {seconds:0.0} s") : "";
        await output.WriteLineAsync($"Testnet in {stateDirectory}: {up.Count} of {state.Nodes.Count} nodes up (started {started}Z{bootstrap}).").ConfigureAwait(false);
        foreach (var node in state.Nodes)
        {
            var how = up.Contains(node) ? $"up    pid {node.ProcessId}" : "down";
            await output.WriteLineAsync($"  {node.Name,-9} {node.Endpoint,-17} {how}").ConfigureAwait(false);
        }

        if (up.Count > 0)
        {
            using var watch = new ConsensusWatch(state, clock);
            var view = await watch.FetchAsync(cancel).ConfigureAwait(false);
            await output.WriteLineAsync(view is null
                ? "Consensus: none usable is served by the authorities."
                : string.Create(CultureInfo.InvariantCulture,
                    $"Consensus: valid-after {view.ValidAfter:HH:mm:ss}Z, {(clock.GetUtcNow() - view.ValidAfter).TotalSeconds:0} s old, from {view.From}, " +
                    $"{view.Signatures} signatures; lists {view.Listed} relays, {view.Ready} of the testnet's {watch.RelayCount} Running, Valid, Guard, HSDir.")).ConfigureAwait(false);
        }

        foreach (var user in state.Users.Where(up.Contains))
        {
            await output.WriteLineAsync($"Hidden point of {user.Name} ({user.Identity}): {await PublicationAsync(stateDirectory, user).ConfigureAwait(false)}").ConfigureAwait(false);
        }

        return up.Count == state.Nodes.Count ? ExitCodes.Ok : ExitCodes.Failure;
    }

    // What the user's daemon says of its hidden point (hpc-client status, through the daemon's local API).
    private static async Task<string> PublicationAsync(string stateDirectory, NodeRecord user)
    {
        var (exit, text, _) = await NodeProcesses.RunToEndAsync(
            NodePrograms.Client,
            ["status", "--json", "--data-dir", Users.UserStep.DataDirectoryOf(stateDirectory, user.Name)],
            TimeSpan.FromSeconds(30),
            new Dictionary<string, string> { ["HPC_PASSPHRASE_FILE"] = Users.UserStep.PassphraseFileOf(stateDirectory, user.Name) }).ConfigureAwait(false);
        if (exit != 0)
        {
            return "unknown (its daemon did not answer)";
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(text);
            var root = json.RootElement;
            var messages = root.GetProperty("messages");
            return string.Create(CultureInfo.InvariantCulture,
                $"{(root.GetProperty("published").GetBoolean() ? "published" : "not published")}, {root.GetProperty("introductionPoints").GetInt32()} introduction points; " +
                $"{messages.GetProperty("delivered").GetInt64()} delivered, {messages.GetProperty("queued").GetInt64()} queued, {messages.GetProperty("received").GetInt64()} received");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "unknown (unexpected status output)";
        }
    }
}
