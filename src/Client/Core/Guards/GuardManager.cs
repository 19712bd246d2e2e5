using HiddenPoint.Client.Diagnostics;
using HiddenPoint.Client.Paths;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Client.Guards;

/// <summary>
/// The client's entry guards after Tor's guard-spec, and its layer-2 vanguards after vanguards-lite (proposal 333);
/// docs/client.md §2 gives the rules. In short: a persisted <em>sample</em> of Guard relays drawn by bandwidth; of
/// those, the ones listed usable in the consensus are <em>filtered</em>; a guard that has carried a circuit is
/// <em>confirmed</em>; the first <see cref="GuardOptions.PrimaryGuards"/> confirmed guards, topped up from the sample
/// in order, are <em>primary</em>, and circuits go through the first primary guard that is not waiting for a retry.
/// A guard that fails is skipped for a back-off that doubles with each failure in a row (bounded by
/// <see cref="GuardOptions.RetryMax"/>) and is tried again after it; it is never dropped for failing, so the set changes
/// only when guards leave the consensus or reach their lifetime.
/// </summary>
/// <remarks>
/// Thread-safe: every method takes one short lock; the state is small and no I/O but the state file's write happens
/// under it. The consensus is applied lazily, when a choice is asked with a newer consensus than the last one seen.
/// </remarks>
public sealed class GuardManager : IEntryGuards
{
    private const RelayFlags GuardFlags = RelayFlags.Guard;
    private const RelayFlags VanguardFlags = RelayFlags.Stable | RelayFlags.Fast;
    private readonly Lock _gate = new();
    private readonly GuardOptions _options;
    private readonly IGuardStateStore _store;
    private readonly WeightedRelayPicker _picker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<Guard> _sample = [];
    private readonly List<Vanguard> _vanguards = [];
    private readonly List<Guard> _primary = [];
    private Consensus? _applied;
    private bool _warnedNone;

    /// <summary>Creates the manager and loads the stored state (a refused file is logged by the store and a fresh
    /// sample starts).</summary>
    public GuardManager(GuardOptions options, IGuardStateStore store, WeightedRelayPicker picker, TimeProvider timeProvider, ILogger<GuardManager>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(picker);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _options = options;
        _store = store;
        _picker = picker;
        _time = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        LoadStatus = Load();
    }

    /// <summary>What loading the stored state found.</summary>
    public GuardStateLoad LoadStatus { get; }

    /// <summary>The sampled guards' identities, in sample order.</summary>
    public IReadOnlyList<RelayId> Sample
    {
        get
        {
            lock (_gate)
            {
                return [.. _sample.Select(g => g.Id)];
            }
        }
    }

    /// <summary>The confirmed guards' identities, in confirmation order.</summary>
    public IReadOnlyList<RelayId> Confirmed
    {
        get
        {
            lock (_gate)
            {
                return [.. _sample.Where(g => g.ConfirmedAt is not null).OrderBy(g => g.ConfirmedAt).Select(g => g.Id)];
            }
        }
    }

    /// <summary>The primary guards' identities, in the order they are tried.</summary>
    public IReadOnlyList<RelayId> Primary
    {
        get
        {
            lock (_gate)
            {
                return [.. _primary.Select(g => g.Id)];
            }
        }
    }

    /// <summary>The layer-2 vanguards' identities with their expiry.</summary>
    public IReadOnlyList<(RelayId Id, DateTimeOffset ExpiresAt)> Vanguards
    {
        get
        {
            lock (_gate)
            {
                return [.. _vanguards.Select(v => (v.Id, v.ExpiresAt))];
            }
        }
    }

    /// <summary>Applies <paramref name="consensus"/>: marks guards listed or not, drops the ones gone too long or too old,
    /// grows the sample, replaces expired or unlisted vanguards, recomputes the primary guards, and saves on change.</summary>
    public void Update(Consensus consensus)
    {
        ArgumentNullException.ThrowIfNull(consensus);
        lock (_gate)
        {
            Apply(consensus);
        }
    }

    /// <inheritdoc/>
    public RelayStatus? ChooseGuard(Consensus consensus, Func<RelayStatus, bool> acceptable)
    {
        ArgumentNullException.ThrowIfNull(consensus);
        ArgumentNullException.ThrowIfNull(acceptable);
        lock (_gate)
        {
            Apply(consensus);
            var now = _time.GetUtcNow();

            // guard-spec: the primary guards in order; then the other confirmed guards; then the rest of the usable sample.
            var chosen = First(consensus, _primary, now, acceptable)
                ?? First(consensus, _sample.Where(g => g.ConfirmedAt is not null && !_primary.Contains(g)).OrderBy(g => g.ConfirmedAt), now, acceptable)
                ?? First(consensus, _sample.Where(g => g.ConfirmedAt is null && !_primary.Contains(g)), now, acceptable);
            if (chosen is null && !_warnedNone)
            {
                _warnedNone = true;
                ClientLog.NoUsableGuard(_logger);
            }
            else if (chosen is not null)
            {
                _warnedNone = false;
            }

            return chosen;
        }
    }

    /// <summary>When the earliest guard waiting for a retry may be tried again; null when none waits.</summary>
    public DateTimeOffset? NextRetryAt
    {
        get
        {
            lock (_gate)
            {
                return _sample.Where(g => g.RetryAt is not null).Select(g => g.RetryAt).Min();
            }
        }
    }

    /// <inheritdoc/>
    public RelayStatus? ChooseVanguard(Consensus consensus, Func<RelayStatus, bool> acceptable)
    {
        ArgumentNullException.ThrowIfNull(consensus);
        ArgumentNullException.ThrowIfNull(acceptable);
        lock (_gate)
        {
            Apply(consensus);
            Span<int> usable = stackalloc int[_vanguards.Count];
            var count = 0;
            for (var i = 0; i < _vanguards.Count; i++)
            {
                if (consensus.TryGetRelay(_vanguards[i].Id, out var relay) && acceptable(relay))
                {
                    usable[count++] = i;
                }
            }

            // Uniform among the usable vanguards, as vanguards-spec does.
            return count == 0 ? null
                : consensus.TryGetRelay(_vanguards[usable[_picker.Random.Next(count)]].Id, out var pick) ? pick : null;
        }
    }

    /// <summary>A circuit through <paramref name="guard"/> was built: the guard is confirmed and its failures forgotten.</summary>
    public void ReportSuccess(RelayId guard)
    {
        lock (_gate)
        {
            var entry = Find(guard);
            if (entry is null)
            {
                return;
            }

            entry.Failures = 0;
            entry.RetryAt = null;
            if (entry.ConfirmedAt is null)
            {
                entry.ConfirmedAt = _time.GetUtcNow();
                ClientLog.GuardConfirmed(_logger, entry.Nickname);
                if (_applied is not null)
                {
                    RecomputePrimary(_applied);
                }

                Save();
            }
        }
    }

    /// <summary>A circuit through <paramref name="guard"/> failed at the guard (no link, or its first hop refused): it is
    /// skipped until its back-off ends.</summary>
    public void ReportFailure(RelayId guard)
    {
        lock (_gate)
        {
            var entry = Find(guard);
            if (entry is null)
            {
                return;
            }

            entry.Failures++;
            var delay = Backoff(entry.Failures);
            entry.RetryAt = _time.GetUtcNow() + delay;
            ClientLog.GuardFailed(_logger, entry.Nickname, entry.Failures, delay);
        }
    }

    /// <summary>How long a guard is skipped after <paramref name="failures"/> failures in a row.</summary>
    public TimeSpan Backoff(int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ticks = Math.Min((double)_options.RetryInitial.Ticks * Math.Pow(2, exponent), _options.RetryMax.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private static bool IsUsableGuard(RelayStatus relay) => PathRules.IsUsable(relay) && (relay.Flags & GuardFlags) == GuardFlags;

    private static bool IsUsableVanguard(RelayStatus relay) => PathRules.IsUsable(relay) && (relay.Flags & VanguardFlags) == VanguardFlags;

    private static RelayStatus? First(Consensus consensus, IEnumerable<Guard> guards, DateTimeOffset now, Func<RelayStatus, bool> acceptable)
    {
        foreach (var guard in guards)
        {
            if ((guard.RetryAt is null || guard.RetryAt <= now)
                && consensus.TryGetRelay(guard.Id, out var relay) && IsUsableGuard(relay) && acceptable(relay))
            {
                return relay;
            }
        }

        return null;
    }

    private GuardStateLoad Load()
    {
        var load = _store.Load();
        if (load.Status != GuardStateLoadStatus.Loaded)
        {
            return load;
        }

        foreach (var record in load.State.Sample)
        {
            if (RelayIds.TryParse(record.Id, out var id))
            {
                _sample.Add(new Guard(id, record.AddedAt) { ConfirmedAt = record.ConfirmedAt, UnlistedSince = record.UnlistedSince });
            }
        }

        foreach (var record in load.State.Vanguards)
        {
            if (RelayIds.TryParse(record.Id, out var id))
            {
                _vanguards.Add(new Vanguard(id, record.AddedAt, record.ExpiresAt));
            }
        }

        return load;
    }

    private Guard? Find(RelayId id)
    {
        foreach (var guard in _sample)
        {
            if (guard.Id == id)
            {
                return guard;
            }
        }

        return null;
    }

    private void Apply(Consensus consensus)
    {
        if (ReferenceEquals(consensus, _applied) || (_applied is not null && consensus.ValidAfter < _applied.ValidAfter))
        {
            return;
        }

        _applied = consensus;
        var now = _time.GetUtcNow();
        var changed = false;

        // Listed or not, then removals.
        for (var i = _sample.Count - 1; i >= 0; i--)
        {
            var guard = _sample[i];
            var listed = consensus.TryGetRelay(guard.Id, out var relay) && IsUsableGuard(relay);
            if (listed)
            {
                guard.Nickname = relay!.Nickname;
                changed |= guard.UnlistedSince is not null;
                guard.UnlistedSince = null;
            }
            else if (guard.UnlistedSince is null)
            {
                guard.UnlistedSince = now;
                changed = true;
            }

            var removal = guard.UnlistedSince is { } since && now - since >= _options.RemoveUnlistedAfter ? GuardRemoval.Unlisted
                : now - guard.AddedAt >= _options.GuardLifetime ? GuardRemoval.Expired
                : (GuardRemoval)0;
            if (removal != 0)
            {
                _sample.RemoveAt(i);
                ClientLog.GuardRemoved(_logger, removal);
                changed = true;
            }
        }

        // Grow the sample by bandwidth until enough of it is usable, or no Guard relay is left to add.
        while (_sample.Count < _options.MaxSampleSize && _sample.Count(g => g.UnlistedSince is null) < _options.MinUsableSample)
        {
            var pick = _picker.Pick(consensus.Relays, GuardFlags, [], r => Find(r.Id) is null);
            if (pick is null)
            {
                break;
            }

            _sample.Add(new Guard(pick.Id, now) { Nickname = pick.Nickname });
            ClientLog.GuardSampled(_logger, pick.Nickname, _sample.Count);
            changed = true;
        }

        // Vanguards: replaced as soon as they expire or stop being usable (vanguards-spec), topped up to the count.
        for (var i = _vanguards.Count - 1; i >= 0; i--)
        {
            var vanguard = _vanguards[i];
            var removal = vanguard.ExpiresAt <= now ? GuardRemoval.LifetimeOver
                : !(consensus.TryGetRelay(vanguard.Id, out var relay) && IsUsableVanguard(relay)) ? GuardRemoval.VanguardUnlisted
                : (GuardRemoval)0;
            if (removal != 0)
            {
                _vanguards.RemoveAt(i);
                ClientLog.VanguardRemoved(_logger, removal);
                changed = true;
            }
        }

        while (_vanguards.Count < _options.Vanguards)
        {
            var pick = _picker.Pick(consensus.Relays, VanguardFlags, [], r => !_vanguards.Exists(v => v.Id == r.Id));
            if (pick is null)
            {
                break;
            }

            var lifetime = VanguardLifetime();
            _vanguards.Add(new Vanguard(pick.Id, now, now + lifetime));
            ClientLog.VanguardAdded(_logger, pick.Nickname, lifetime);
            changed = true;
        }

        RecomputePrimary(consensus);
        if (changed)
        {
            Save();
        }
    }

    // max(X, Y) of two uniform draws, as proposal 333 and C Tor do: lifetimes lean towards the maximum.
    private TimeSpan VanguardLifetime()
    {
        var min = _options.VanguardLifetimeMin.Ticks;
        var span = _options.VanguardLifetimeMax.Ticks - min;
        var x = span == 0 ? 0 : _picker.Random.NextInt64(span + 1);
        var y = span == 0 ? 0 : _picker.Random.NextInt64(span + 1);
        return TimeSpan.FromTicks(min + Math.Max(x, y));
    }

    // guard-spec: the first PrimaryGuards confirmed guards (by confirmation time) that are listed, then listed sampled
    // guards in sample order. Failing guards stay primary: they are skipped while they wait, not replaced.
    private void RecomputePrimary(Consensus consensus)
    {
        _primary.Clear();
        foreach (var guard in _sample.Where(g => g.ConfirmedAt is not null).OrderBy(g => g.ConfirmedAt).Concat(_sample.Where(g => g.ConfirmedAt is null)))
        {
            if (_primary.Count == _options.PrimaryGuards)
            {
                break;
            }

            if (guard.UnlistedSince is null && consensus.TryGetRelay(guard.Id, out var relay) && IsUsableGuard(relay))
            {
                _primary.Add(guard);
            }
        }
    }

    private void Save()
    {
        var state = new GuardState
        {
            Sample = [.. _sample.Select(g => new SampledGuardRecord { Id = RelayIds.Format(g.Id), AddedAt = g.AddedAt, ConfirmedAt = g.ConfirmedAt, UnlistedSince = g.UnlistedSince })],
            Vanguards = [.. _vanguards.Select(v => new VanguardRecord { Id = RelayIds.Format(v.Id), AddedAt = v.AddedAt, ExpiresAt = v.ExpiresAt })],
        };
        try
        {
            _store.Save(state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ClientLog.GuardStateSaveFailed(_logger, e);
        }
    }

    private sealed class Guard(RelayId id, DateTimeOffset addedAt)
    {
        public RelayId Id { get; } = id;

        public DateTimeOffset AddedAt { get; } = addedAt;

        public string Nickname { get; set; } = "?";

        public DateTimeOffset? ConfirmedAt { get; set; }

        public DateTimeOffset? UnlistedSince { get; set; }

        public int Failures { get; set; }

        public DateTimeOffset? RetryAt { get; set; }
    }

    private sealed record Vanguard(RelayId Id, DateTimeOffset AddedAt, DateTimeOffset ExpiresAt);
}
