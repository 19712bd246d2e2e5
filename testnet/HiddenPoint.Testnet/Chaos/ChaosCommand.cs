using System.Globalization;
using HiddenPoint.Testnet.Chaos.Scenarios;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>
/// <c>hpc-testnet chaos SCENARIO</c>: brings up a testnet of its own in the state folder (the usual programs, each its
/// own process), starts the users' conversations, runs the scenario's fault, prints the result table, checks every
/// node's log, and stops everything it started, whatever happened. Exit 0 only when every row met its bar.
/// </summary>
internal sealed class ChaosCommand
{
    private readonly ChaosOptions _options;
    private readonly TextWriter _output;
    private readonly TimeProvider _clock;

    public ChaosCommand(ChaosOptions options, TextWriter output, TimeProvider clock)
    {
        _options = options;
        _output = output;
        _clock = clock;
    }

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        var scenario = ChaosScenarios.Find(_options.Scenario)!;
        var directory = _options.StateDirectory;
        Directory.CreateDirectory(directory);
        using var held = StateLock.TryTake(directory);
        if (held is null)
        {
            await Console.Error.WriteLineAsync($"hpc-testnet chaos: another run or clean is working in {directory}.").ConfigureAwait(false);
            return ExitCodes.AlreadyRunning;
        }

        if (TestnetState.Load(directory) is { } previous && previous.Nodes.Count(NodeProcesses.IsRunning) is var up and > 0)
        {
            await Console.Error.WriteLineAsync($"hpc-testnet chaos: a testnet is already running in {directory} ({up} nodes up); `run.sh stop` first.").ConfigureAwait(false);
            return ExitCodes.AlreadyRunning;
        }

        var progress = new Progress(_output, _clock, inPlace: !Console.IsOutputRedirected && ReferenceEquals(_output, Console.Out));
        progress.Done(string.Create(CultureInfo.InvariantCulture,
            $"chaos {scenario.Name}: {scenario.Summary}; {_options.Relays} relays, {_options.Users} users, seed {_options.Seed}, in {directory}"));
        ChaosNetwork? network = null;
        try
        {
            network = await ChaosNetwork.StartAsync(_options, progress, _clock, cancel).ConfigureAwait(false);
            var traffic = new ConversationTraffic(network.Users, _options.Seed, _options.Size, _clock);
            var context = new ChaosContext(network, traffic, _options, progress, _clock, new Random(_options.Seed));
            IReadOnlyList<ChaosRow> rows;
            try
            {
                rows = await scenario.RunAsync(context, cancel).ConfigureAwait(false);
            }
            finally
            {
                await traffic.StopAsync().ConfigureAwait(false);
            }

            var findings = NodeLogCheck.Findings(network.State);
            ChaosTable.Print(_output, scenario.Name, rows, findings, NodeLogCheck.Warnings(network.State));
            return rows.All(r => r.Passed) && findings.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        }
        catch (TestnetException e)
        {
            progress.Done("failed: " + e.Message);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            progress.Done("interrupted.");
            return ExitCodes.Interrupted;
        }
        finally
        {
            if (network is not null)
            {
                await network.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
