using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Diagnostics;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Client.Guards;

/// <summary>
/// Path-bias accounting, after Tor's (path-spec §7): a guard that lets a client's CREATE2 through but then fails the
/// circuits it cannot watch end to end pushes the client towards the paths it can, so for each guard the client counts
/// the circuits that got past the guard (its first hop completed, an extension sent) and how many of them were then
/// built to their last hop. Once <see cref="CircuitBuilderOptions.PathBiasMinCircuits"/> have been counted, a share
/// below the notice, warning or extreme rate is logged (5110, 5111, 5112), each level once until the share recovers.
/// </summary>
/// <remarks>
/// A failure after the first hop is not always the guard's doing (a middle that went down, an overloaded network), so
/// the rates are far below what a healthy network completes; nothing is done to the guard beyond the log, since
/// changing guards whenever one looks bad is what a route-manipulation attack needs. Counts live in memory (a restart
/// starts them again). Thread-safe.
/// </remarks>
public sealed class GuardPathBias
{
    private readonly Lock _gate = new();
    private readonly Dictionary<RelayId, Entry> _guards = [];
    private readonly CircuitBuilderOptions _options;
    private readonly ILogger _logger;

    /// <summary>Accounting under <paramref name="options"/>' thresholds (validated by the caller).</summary>
    public GuardPathBias(CircuitBuilderOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Counts a circuit that got past <paramref name="guard"/> and then ended: <paramref name="completed"/> when it was
    /// built to its last hop. Circuits that failed at the guard itself, one-hop circuits and builds the caller gave up
    /// on are not counted.
    /// </summary>
    public void Record(RelayStatus guard, bool completed)
    {
        ArgumentNullException.ThrowIfNull(guard);
        PathBiasLevel reached;
        double rate, circuits, threshold;
        lock (_gate)
        {
            // One entry per guard the client used; guards come from its sample (at most a few dozen at a time).
            if (!_guards.TryGetValue(guard.Id, out var entry))
            {
                entry = new Entry();
                _guards[guard.Id] = entry;
            }

            entry.Circuits++;
            entry.Completed += completed ? 1 : 0;
            if (entry.Circuits >= _options.PathBiasScaleCircuits)
            {
                entry.Circuits /= 2;
                entry.Completed /= 2;
            }

            var level = LevelOf(entry);
            if (level <= entry.Reported)
            {
                // Reported already; once the share recovers, a later fall is reported again.
                entry.Reported = level == PathBiasLevel.None ? PathBiasLevel.None : entry.Reported;
                return;
            }

            entry.Reported = level;
            (reached, rate, circuits) = (level, entry.Completed / entry.Circuits, entry.Circuits);
            threshold = level switch
            {
                PathBiasLevel.Extreme => _options.PathBiasExtremeRate,
                PathBiasLevel.Warning => _options.PathBiasWarnRate,
                _ => _options.PathBiasNoticeRate,
            };
        }

        switch (reached)
        {
            case PathBiasLevel.Extreme:
                ClientLog.PathBiasExtreme(_logger, guard.Nickname, rate, circuits, threshold);
                break;
            case PathBiasLevel.Warning:
                ClientLog.PathBiasWarning(_logger, guard.Nickname, rate, circuits, threshold);
                break;
            default:
                ClientLog.PathBiasNotice(_logger, guard.Nickname, rate, circuits, threshold);
                break;
        }
    }

    /// <summary>The figures of <paramref name="guard"/>: all zero for a guard no counted circuit went through.</summary>
    public GuardPathBiasCounts Of(RelayId guard)
    {
        lock (_gate)
        {
            return _guards.TryGetValue(guard, out var entry) ? new(entry.Circuits, entry.Completed, LevelOf(entry)) : default;
        }
    }

    private PathBiasLevel LevelOf(Entry entry)
    {
        if (entry.Circuits < _options.PathBiasMinCircuits)
        {
            return PathBiasLevel.None;
        }

        var rate = entry.Completed / entry.Circuits;
        return rate < _options.PathBiasExtremeRate ? PathBiasLevel.Extreme
            : rate < _options.PathBiasWarnRate ? PathBiasLevel.Warning
            : rate < _options.PathBiasNoticeRate ? PathBiasLevel.Notice
            : PathBiasLevel.None;
    }

    private sealed class Entry
    {
        public double Circuits { get; set; }

        public double Completed { get; set; }

        public PathBiasLevel Reported { get; set; }
    }
}
