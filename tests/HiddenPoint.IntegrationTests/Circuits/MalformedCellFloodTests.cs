using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace HiddenPoint.IntegrationTests.Circuits;

/// <summary>
/// TEST-MATRIX FL-01: attackers flood one middle relay with malformed cells while honest circuits through it exchange
/// requests. Each attacker circuit must close on its first violation, each attacker link after at most
/// <see cref="Relay.Circuits.RelayEngineOptions.MaxCircuitViolationsPerLink"/> (10) violations, the violation log
/// stays at one line per kind per interval, and the honest circuits are served.
/// </summary>
public sealed class MalformedCellFloodTests(ITestOutputHelper output)
{
    private const int Attackers = 10;
    private const int MaxViolations = 10;
    private const int HonestCircuits = 3;
    private static readonly StreamId s_stream = new(1);

    /// <summary>The CI form: 10 attacker connections for 3 s, one malformed cell after each violation's first.</summary>
    [Fact]
    public Task FL01_malformed_cell_flood_closes_each_circuit_at_once_and_each_link_after_ten_violations() =>
        RunAsync(TimeSpan.FromSeconds(3), trailingCellsPerCircuit: 1);

    /// <summary>The full figure: 60 s, with enough trailing garbage per circuit to approach 10,000 malformed cells per second.</summary>
    [Fact]
    [Trait("Category", "Flood")]
    public Task FL01_malformed_cell_flood_full_figure_sixty_seconds() =>
        RunAsync(TimeSpan.FromSeconds(60), trailingCellsPerCircuit: 40);

    private async Task RunAsync(TimeSpan duration, int trailingCellsPerCircuit)
    {
        await using var network = await RelayNetwork.StartAsync(3);
        var middle = network[1];
        var target = network.StatusOf(1);
        using var client = new RawCircuitDriver();

        // The honest control: circuits guard → middle → exit from another address, built before the attack.
        var honest = new List<(Link Link, RawCircuit Circuit)>();
        for (var i = 0; i < HonestCircuits; i++)
        {
            var link = await client.ConnectAsync(network.StatusOf(0), IPAddress.Parse("127.0.0.2"));
            var circuit = await RawCircuitDriver.CreateAsync(link, network.StatusOf(0));
            Assert.True(await RawCircuitDriver.ExtendAsync(circuit, target));
            Assert.True(await RawCircuitDriver.ExtendAsync(circuit, network.StatusOf(2)));
            honest.Add((link, circuit));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = Environment.WorkingSet;

        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        var attacks = Enumerable.Range(0, Attackers)
            .Select(i => AttackAsync(client, target, IPAddress.Parse($"127.0.1.{i + 1}"), i, trailingCellsPerCircuit, stop.Token))
            .ToArray();
        var control = honest.Select(h => ExchangeAsync(h.Circuit, stop.Token)).ToArray();
        var tallies = await Task.WhenAll(attacks).WaitAsync(duration + TestTimeouts.Host);
        var served = await Task.WhenAll(control).WaitAsync(TestTimeouts.Step);
        var elapsed = clock.Elapsed;

        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var rssAfter = Environment.WorkingSet;
        var violatingCircuits = tallies.Sum(t => t.Circuits);
        var malformedCells = tallies.Sum(t => t.MalformedCells);
        var circuitLinks = tallies.Sum(t => t.CircuitLinks);
        var linkLevel = tallies.Sum(t => t.LinkLevelLinks);
        var requests = served.Sum(s => s.Sent);
        var answers = served.Sum(s => s.Answered);
        output.WriteLine(
            $"FL-01 {elapsed.TotalSeconds:F1} s: {malformedCells} malformed cells ({malformedCells / elapsed.TotalSeconds:F0}/s) on {violatingCircuits} circuits, " +
            $"{circuitLinks} links closed for circuit violations, {linkLevel} for a link-level one; honest {answers}/{requests} answered; " +
            $"managed heap {(heapAfter - heapBefore) / 1048576.0:F1} MiB, working set {(rssAfter - rssBefore) / 1048576.0:F1} MiB; max violations on one link {tallies.Max(t => t.MostOnOneLink)}");

        // Each circuit closed on its first violation: the relay counted exactly one per attacker circuit.
        await Eventually.TrueAsync(() => middle.Engine.Violations.CircuitsClosed == violatingCircuits, "every attacker circuit counted once");

        // No link carried more than ten violating circuits, and every link that reached ten was closed by the relay.
        Assert.All(tallies, t => Assert.InRange(t.MostOnOneLink, 1, MaxViolations));
        Assert.Equal(circuitLinks, middle.Engine.Violations.LinksClosed);
        Assert.True(circuitLinks >= Attackers, $"each attacker had at least one link closed ({circuitLinks})");

        // The honest circuits were served (≥ 99 %) and are still open; nothing the attackers did is left at the relay.
        Assert.True(requests > 0);
        Assert.True(answers * 100 >= requests * 99, $"honest requests answered: {answers}/{requests}");
        Assert.All(honest, h => Assert.False(h.Circuit.Circuit.IsClosed));
        await Eventually.TrueAsync(() => middle.Engine.OpenCircuits == HonestCircuits, "only the honest circuits open at the middle relay");
        Assert.InRange(heapAfter - heapBefore, long.MinValue, 64L * 1024 * 1024);

        // Log volume: one line per kind of violation per interval (60 s), and no warning at all.
        var interval = TimeSpan.FromSeconds(60);
        var windows = (int)Math.Ceiling(elapsed / interval);
        var lines = middle.Logs.Lines;
        foreach (var kind in lines.Where(l => l.Id.Id == 3012).GroupBy(l => l.Message.Split(':')[1].Split(' ')[1]))
        {
            Assert.InRange(kind.Count(), 1, windows);
        }

        Assert.InRange(lines.Count(l => l.Id.Id == 3013), 1, windows);
        Assert.DoesNotContain(lines, l => l.Level >= LogLevel.Warning);

        foreach (var (link, circuit) in honest)
        {
            await circuit.Circuit.CloseAsync();
            await link.DisposeAsync();
        }
    }

    // One attacker: link after link to the target, each used for circuit violations of every kind in turn until the
    // relay closes it; every fifth link breaks the link protocol itself instead (a cell with no such command).
    private static async Task<AttackTally> AttackAsync(
        RawCircuitDriver driver, Protocol.Documents.RelayStatus target, IPAddress from, int seed, int trailingCells, CancellationToken stop)
    {
        var tally = new AttackTally();
        var round = 0;
        while (!stop.IsCancellationRequested)
        {
            var link = await driver.ConnectAsync(target, from);
            if (++round % 5 == 0)
            {
                // A RELAY cell whose command byte is then overwritten with one no cell has.
                var bad = link.Pool.Rent();
                Cell.WriteHeader(bad.Span, new CircuitId(CircuitId.HighBit | 1), CellCommand.Relay);
                bad.Span[4] = 77;
                await link.SendAsync(bad, CancellationToken.None);
                tally.MalformedCells++;
                await link.Completion.WaitAsync(TestTimeouts.Step, CancellationToken.None);
                await link.DisposeAsync();
                tally.LinkLevelLinks++;
                continue;
            }

            var onThisLink = 0;
            while (link.CloseReason == LinkCloseReason.None)
            {
                RawCircuit circuit;
                try
                {
                    circuit = await RawCircuitDriver.CreateAsync(link, target);
                }
                catch (InvalidOperationException) when (link.CloseReason != LinkCloseReason.None || link.Completion.IsCompleted)
                {
                    break;
                }

                var kind = (seed + tally.Circuits) % 4;
                await ViolateAsync(link, circuit, kind);
                tally.MalformedCells++;
                for (var i = 0; i < trailingCells; i++)
                {
                    // More garbage on the same id: the circuit is closed (or closing), so the relay drops it.
                    await SendRandomCellAsync(link, circuit.Id);
                    tally.MalformedCells++;
                }

                var closed = await circuit.Circuit.Completion.WaitAsync(TestTimeouts.Step, CancellationToken.None);
                Assert.True(closed is CircuitCloseReason.DestroyedByPeer or CircuitCloseReason.LinkClosed, $"attacker circuit closed as {closed}");
                tally.Circuits++;
                onThisLink++;
            }

            await link.Completion.WaitAsync(TestTimeouts.Step, CancellationToken.None);
            tally.CircuitLinks++;
            tally.MostOnOneLink = Math.Max(tally.MostOnOneLink, onThisLink);
            await link.DisposeAsync();
        }

        return tally;
    }

    // The four kinds of circuit violation: a cell no layer recognises (random bytes), a relay command the relay does
    // not take, a SENDME with a forged tag when none is due, EXTEND2 in a plain RELAY cell.
    private static async Task ViolateAsync(Link link, RawCircuit circuit, int kind)
    {
        switch (kind)
        {
            case 0:
                await SendRandomCellAsync(link, circuit.Id);
                break;
            case 1:
                await circuit.SendAsync(0, (RelayCommand)200, [1, 2, 3]);
                break;
            case 2:
                var forged = new byte[3 + 16];
                forged[0] = 1;
                forged[2] = 16;
                RandomNumberGenerator.Fill(forged.AsSpan(3));
                await circuit.SendAsync(0, RelayCommand.Sendme, forged);
                break;
            default:
                await circuit.SendAsync(0, RelayCommand.Extend2, [0, 0, 0]);
                break;
        }
    }

    private static async Task SendRandomCellAsync(Link link, CircuitId id)
    {
        var garbage = link.Pool.Rent();
        Cell.WriteHeader(garbage.Span, id, CellCommand.Relay);
        RandomNumberGenerator.Fill(garbage.Body);
        await link.SendAsync(garbage);
    }

    // An honest circuit's requests to the exit, one after the other, until the attack stops.
    private static async Task<(int Sent, int Answered)> ExchangeAsync(RawCircuit circuit, CancellationToken stop)
    {
        var sent = 0;
        var answered = 0;
        while (!stop.IsCancellationRequested)
        {
            sent++;
            if (await circuit.SendAsync(2, RelayCommand.DirectoryRequest, [1, 0], s_stream) == CircuitSendResult.Queued
                && await circuit.NextAsync() is { Command: RelayCommand.DirectoryResponse, Hop: 2 })
            {
                answered++;
            }

            await Task.Delay(50, CancellationToken.None);
        }

        return (sent, answered);
    }

    private sealed class AttackTally
    {
        public int Circuits { get; set; }

        public int MalformedCells { get; set; }

        public int CircuitLinks { get; set; }

        public int LinkLevelLinks { get; set; }

        public int MostOnOneLink { get; set; }
    }
}
