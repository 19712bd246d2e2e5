namespace HiddenPoint.Testnet.Chaos.Scenarios;

/// <summary>One chaos scenario: a fault injected into a running network while its users talk, and its bar.</summary>
internal interface IChaosScenario
{
    /// <summary>The command-line name (<c>cr-01</c>, <c>net-std</c>).</summary>
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Summary { get; }

    /// <summary>Runs the scenario on a network that is up and returns its result rows.</summary>
    Task<IReadOnlyList<ChaosRow>> RunAsync(ChaosContext context, CancellationToken cancel);
}

/// <summary>What a scenario works with: the network, the conversations, the options and the run's output.</summary>
internal sealed record ChaosContext(ChaosNetwork Network, ConversationTraffic Traffic, ChaosOptions Options, Progress Progress, TimeProvider Clock, Random Random)
{
    /// <summary>Stops the traffic, waits for every outbox to drain, and reads back what every receiver stored.</summary>
    public async Task<(IReadOnlyList<SentMessage> Sent, List<ReceivedMessage> Received, bool Drained)> FinishTrafficAsync(CancellationToken cancel)
    {
        await Traffic.StopAsync().ConfigureAwait(false);
        Progress.Show($"waiting up to {Options.DrainTimeout.TotalSeconds:0} s for every message to be delivered...");
        var drained = await Traffic.DrainAsync(Options.DrainTimeout, cancel).ConfigureAwait(false);
        var received = await Traffic.ReadBackAsync(cancel).ConfigureAwait(false);
        Progress.Done(drained ? "every outbox drained" : $"not every outbox drained within {Options.DrainTimeout.TotalSeconds:0} s");
        return (Traffic.Sent, received, drained);
    }
}

/// <summary>The scenarios, one file each.</summary>
internal static class ChaosScenarios
{
    public static readonly IReadOnlyList<IChaosScenario> All =
    [
        new RelayKillScenario(),
        new IntroductionPointKillScenario(),
        new HiddenPointRestartScenario(),
        new AuthorityOutageScenario(),
        new MinorityAuthorityLossScenario(),
        new RelayDrainScenario(),
        new ClientShutdownScenario(),
        new NetStdScenario(),
    ];

    public static IEnumerable<string> Names => All.Select(s => s.Name);

    public static IChaosScenario? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
