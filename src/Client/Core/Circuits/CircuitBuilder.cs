using System.Diagnostics;
using HiddenPoint.Client.Diagnostics;
using HiddenPoint.Client.Guards;
using HiddenPoint.Client.Paths;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Client.Circuits;

/// <summary>
/// Builds circuits for the client (docs/client.md §3): a path from <see cref="PathSelector"/> (guard and vanguard from
/// the <see cref="GuardManager"/>), the guard's link from the <see cref="LinkManager"/>, then CREATE2 and one EXTEND2 per
/// further hop through <see cref="ClientCircuit"/>. Each attempt is bounded by the learned build timeout
/// (<see cref="BuildTimeoutEstimator"/>); a failed attempt is retried on a freshly chosen path, up to
/// <see cref="CircuitBuilderOptions.MaxAttempts"/>. A link or CREATE2 failure is the guard's and is reported to the
/// guard manager (which then skips that guard for its back-off); a completed build confirms the guard.
/// </summary>
/// <remarks>
/// Purposes whose last hop is free (General, ClientRendezvous, HostIntroduction) are served from a small pool of
/// pre-built circuits that a background task keeps at <see cref="CircuitBuilderOptions.PoolSize"/> per shape, so that a
/// connect does not wait for a build; the pool starts with <see cref="StartPool"/>.
/// </remarks>
public sealed class CircuitBuilder : ICircuitProvider, IAsyncDisposable
{
    private readonly IConsensusSource _consensus;
    private readonly LinkManager _links;
    private readonly PathSelector _paths;
    private readonly GuardManager _guards;
    private readonly CircuitBuilderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CircuitPool _pool;

    /// <summary>Creates the builder; the options are validated here.</summary>
    public CircuitBuilder(
        IConsensusSource consensus,
        LinkManager links,
        PathSelector paths,
        GuardManager guards,
        CircuitBuilderOptions options,
        TimeProvider timeProvider,
        ILogger<CircuitBuilder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(consensus);
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(guards);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _consensus = consensus;
        _links = links;
        _paths = paths;
        _guards = guards;
        _options = options;
        _time = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Timeouts = new BuildTimeoutEstimator(options);
        PathBias = new GuardPathBias(options, _logger);
        _pool = new CircuitPool(this, options, timeProvider, _logger);
        if (consensus is ConsensusHolder holder)
        {
            // A new consensus may make paths possible that were not: the pool tries again at once.
            holder.Changed += OnConsensusChanged;
        }
    }

    /// <summary>The learned build timeout.</summary>
    public BuildTimeoutEstimator Timeouts { get; }

    /// <summary>Each guard's share of the circuits past it that were completed (path bias, docs/client.md §3).</summary>
    public GuardPathBias PathBias { get; }

    /// <summary>How many pre-built circuits wait in the pool now, all shapes together.</summary>
    public int PooledCount => _pool.Count;

    /// <summary>Starts the background task that keeps the pool filled (nothing when <see cref="CircuitBuilderOptions.PoolSize"/> is 0).</summary>
    public void StartPool() => _pool.Start();

    /// <summary>Wakes the pool's task, e.g. when a new consensus arrived.</summary>
    public void NudgePool() => _pool.Nudge();

    /// <inheritdoc/>
    public async Task<ProvidedCircuit> GetAsync(CircuitPurpose purpose, RelayStatus? lastHop, CancellationToken cancellationToken)
    {
        if (lastHop is null && CircuitPool.ShapeOf(purpose) is { } shape && _pool.TryTake(shape, out var pooled))
        {
            return pooled;
        }

        return await BuildAsync(purpose, lastHop, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds a new circuit (never from the pool), trying up to <see cref="CircuitBuilderOptions.MaxAttempts"/> paths.</summary>
    /// <exception cref="CircuitBuildException">Every attempt failed; the message names the last step and why.</exception>
    public async Task<ProvidedCircuit> BuildAsync(CircuitPurpose purpose, RelayStatus? lastHop, CancellationToken cancellationToken)
    {
        var step = CircuitBuildStep.None;
        var detail = "";
        Exception? last = null;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_consensus.TryGetUsable(out var consensus, out var unavailable))
            {
                step = CircuitBuildStep.Consensus;
                detail = unavailable.ToUserMessage(null);
                break;
            }

            var failure = _paths.TrySelect(consensus, purpose, lastHop, out var path);
            if (failure != PathFailure.None)
            {
                ClientLog.NoPath(_logger, purpose, failure);
                step = CircuitBuildStep.Path;
                detail = Describe(failure);
                if (failure == PathFailure.NoGuard && _guards.NextRetryAt is { } retry)
                {
                    detail += $"; the next guard retry is due at {retry.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z";
                }

                // Another draw cannot help while the guards wait for their retries or the target is unusable.
                if (failure is PathFailure.NoGuard or PathFailure.TargetNotUsable or PathFailure.NoVanguard)
                {
                    break;
                }

                continue;
            }

            var outcome = await TryBuildAsync(purpose, path, cancellationToken).ConfigureAwait(false);
            if (outcome.Circuit is not null)
            {
                return outcome.Circuit;
            }

            (step, detail, last) = (outcome.Step, outcome.Detail, outcome.Error);
            ClientLog.AttemptFailed(_logger, purpose, attempt, step, detail);
        }

        var attempts = step is CircuitBuildStep.Consensus or CircuitBuildStep.Path ? 0 : _options.MaxAttempts;
        var message = $"no {purpose} circuit could be built: {Explain(step)}: {detail}";
        ClientLog.BuildFailed(_logger, purpose, attempts, message);
        throw new CircuitBuildException(purpose, attempts, step, message, last);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (_consensus is ConsensusHolder holder)
        {
            holder.Changed -= OnConsensusChanged;
        }

        return _pool.DisposeAsync();
    }

    private void OnConsensusChanged(object? sender, Consensus consensus) => _pool.Nudge();

    private static string Describe(PathFailure failure) => failure switch
    {
        PathFailure.NoGuard => "no guard is usable now (every sampled guard is waiting to be retried, unlisted, or conflicts with the last hop)",
        PathFailure.NoVanguard => "no layer-2 vanguard is usable (none listed, or all conflict with the guard or the last hop)",
        PathFailure.NoRelay => "no relay is eligible for a middle or last hop under the path rules",
        PathFailure.TargetNotUsable => "the requested last hop is not listed Running and Valid",
        _ => failure.ToString(),
    };

    private static string Explain(CircuitBuildStep step) => step switch
    {
        CircuitBuildStep.Consensus => "no usable consensus",
        CircuitBuildStep.Path => "no path",
        CircuitBuildStep.Link => "no link to the guard",
        CircuitBuildStep.Create => "the guard failed the circuit handshake",
        CircuitBuildStep.Extend => "an extension failed",
        CircuitBuildStep.Timeout => "the build timed out",
        _ => "failed",
    };

    private async Task<BuildOutcome> TryBuildAsync(CircuitPurpose purpose, RelayStatus[] path, CancellationToken cancellationToken)
    {
        var guard = path[0];
        var timeout = Timeouts.Timeout;
        var started = _time.GetTimestamp();
        using var limit = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var step = CircuitBuildStep.Link;
        ClientCircuit? circuit = null;
        try
        {
            var launch = await _links.GetOrLaunchAsync(LinkTarget.For(guard), linked.Token).ConfigureAwait(false);
            if (!launch.IsOpen)
            {
                _guards.ReportFailure(guard.Id);
                return BuildOutcome.Failed(CircuitBuildStep.Link, launch.Failure.ToString(), null);
            }

            step = CircuitBuildStep.Create;
            circuit = await ClientCircuit.CreateAsync(launch.Link!, guard, linked.Token).ConfigureAwait(false);
            step = CircuitBuildStep.Extend;
            for (var i = 1; i < path.Length; i++)
            {
                await circuit.ExtendAsync(path[i], linked.Token).ConfigureAwait(false);
            }

            var elapsed = _time.GetElapsedTime(started);
            var before = timeout;
            var learned = Timeouts.Record(elapsed);
            if (learned != before)
            {
                ClientLog.TimeoutLearned(_logger, learned, Timeouts.Samples);
            }

            _guards.ReportSuccess(guard.Id);
            if (path.Length > 1)
            {
                PathBias.Record(guard, completed: true);
            }

            ClientLog.CircuitBuilt(_logger, purpose, elapsed.TotalMilliseconds, path.Length);
            return new BuildOutcome(new ProvidedCircuit(circuit, path), CircuitBuildStep.None, "", null);
        }
        catch (OperationCanceledException e) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await CloseQuietlyAsync(circuit).ConfigureAwait(false);
            Timeouts.Record(timeout);
            if (step is CircuitBuildStep.Link or CircuitBuildStep.Create)
            {
                _guards.ReportFailure(guard.Id);
            }
            else if (path.Length > 1)
            {
                // Past the guard: a guard that stalls the circuits it cannot watch fails them as surely as one that
                // destroys them.
                PathBias.Record(guard, completed: false);
            }

            return BuildOutcome.Failed(CircuitBuildStep.Timeout, $"no answer within {timeout.TotalMilliseconds:0} ms while at step {step}", e);
        }
        catch (CircuitException e)
        {
            await CloseQuietlyAsync(circuit).ConfigureAwait(false);
            if (step == CircuitBuildStep.Create && BlamesGuard(e))
            {
                _guards.ReportFailure(guard.Id);
            }
            else if (step == CircuitBuildStep.Extend && e.CloseReason == CircuitCloseReason.DestroyedByPeer && e.Hop is { } hop && hop.Value < path.Length)
            {
                // A hop gave up extending: most likely the relay it was to reach is down or cut off. Later paths pass
                // it over for a while instead of drawing it again.
                _paths.Unreachable?.Note(path[hop.Value].Id);
            }

            if (step == CircuitBuildStep.Extend && path.Length > 1)
            {
                PathBias.Record(guard, completed: false);
            }

            return BuildOutcome.Failed(step, e.Message, e);
        }
        catch (OperationCanceledException)
        {
            await CloseQuietlyAsync(circuit).ConfigureAwait(false);
            throw;
        }
    }

    // A guard that answers CREATE2 with DESTROY is up and reachable; it said no for now (load, a rate limit), and
    // marking it failed would send every circuit elsewhere for the back-off, as a fault of the guard would (Tor too
    // blames the guard only for a first-hop failure without a DESTROY). A guard going away (Hibernating) is the exception.
    private static bool BlamesGuard(CircuitException e) =>
        e.Failure != CircuitFailure.Refused || e.DestroyReason == Protocol.Cells.DestroyReason.Hibernating;

    private static async Task CloseQuietlyAsync(ClientCircuit? circuit)
    {
        if (circuit is not null)
        {
            await circuit.CloseAsync().ConfigureAwait(false);
        }
    }

    private readonly record struct BuildOutcome(ProvidedCircuit? Circuit, CircuitBuildStep Step, string Detail, Exception? Error)
    {
        public static BuildOutcome Failed(CircuitBuildStep step, string detail, Exception? error) => new(null, step, detail, error);
    }
}
