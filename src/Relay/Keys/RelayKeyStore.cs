using System.Diagnostics.Metrics;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Relay.Diagnostics;
using HiddenPoint.Relay.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Keys;

/// <summary>
/// The keys the relay answers with at one moment: the current link and circuit-handshake keys, and the previous ones
/// while their overlap lasts (clients may still hold a consensus that lists them). Immutable; the store swaps it.
/// </summary>
/// <param name="LinkKey">The current Noise static key.</param>
/// <param name="PreviousLinkKey">The previous one, still answered during the overlap.</param>
/// <param name="CircuitHandshakeKey">The current ntor v3 onion key.</param>
/// <param name="PreviousCircuitHandshakeKey">The previous one, still answered during the overlap.</param>
public sealed record RelayKeySet(
    LinkKey LinkKey,
    LinkKey? PreviousLinkKey,
    CircuitHandshakeKey CircuitHandshakeKey,
    CircuitHandshakeKey? PreviousCircuitHandshakeKey)
{
    /// <summary>Until when the descriptor certifies <see cref="LinkKey"/>: its rotation plus the overlap.</summary>
    public DateTimeOffset LinkKeyExpires { get; init; } = DateTimeOffset.MaxValue;

    /// <summary>Until when the descriptor certifies <see cref="CircuitHandshakeKey"/>: its rotation plus the overlap.</summary>
    public DateTimeOffset CircuitHandshakeKeyExpires { get; init; } = DateTimeOffset.MaxValue;
}

/// <summary>
/// The relay's keys as the circuit engine reads them: the identity's public id and the keys to answer with now.
/// <see cref="RelayKeyStore"/> is the real one (files, rotation); tests may pass fixed keys.
/// </summary>
public interface IRelayKeys
{
    /// <summary>The identity's public key, the relay's id in the network.</summary>
    RelayId Id { get; }

    /// <summary>The keys to answer with now (read it once per handshake).</summary>
    RelayKeySet Current { get; }
}

/// <summary>What a key rotation changed.</summary>
/// <param name="Keys">The keys in force from now on.</param>
/// <param name="LinkKeyRotated">A new link key is current.</param>
/// <param name="CircuitHandshakeKeyRotated">A new circuit-handshake key is current.</param>
public sealed record RelayKeyRotation(RelayKeySet Keys, bool LinkKeyRotated, bool CircuitHandshakeKeyRotated);

/// <summary>
/// The relay's keys on disk, in the data directory:
/// <list type="bullet">
/// <item><c>identity.key</c>: the Ed25519 identity, made by <c>hpc-relay keygen</c> and never replaced here. A missing,
/// unreadable or corrupt identity stops the relay with a message: a silent new identity would be a new relay.</item>
/// <item><c>link.key</c> and <c>circuit-handshake.key</c>: made when missing, remade when unusable (empty, corrupt,
/// readable by others), and replaced every <see cref="RelayOptions.LinkKeyLifetime"/> /
/// <see cref="RelayOptions.CircuitHandshakeKeyLifetime"/>.</item>
/// <item><c>link.previous.key</c> and <c>circuit-handshake.previous.key</c>: the replaced keys, answered for the overlap
/// and then deleted.</item>
/// </list>
/// A key file's modification time records when the key became current (for a previous key: when it was replaced), set
/// from the injected clock, so that a restart keeps the schedule. <see cref="Current"/> is one immutable
/// <see cref="RelayKeySet"/> swapped atomically; <see cref="Rotated"/> tells the descriptor publisher to upload the new keys.
/// </summary>
public sealed class RelayKeyStore : IRelayKeys, IDisposable
{
    /// <summary>The identity key file in the data directory.</summary>
    public const string IdentityFileName = "identity.key";

    /// <summary>The current link key file.</summary>
    public const string LinkKeyFileName = "link.key";

    /// <summary>The previous link key file, kept for the overlap.</summary>
    public const string PreviousLinkKeyFileName = "link.previous.key";

    /// <summary>The current circuit-handshake key file.</summary>
    public const string CircuitHandshakeKeyFileName = "circuit-handshake.key";

    /// <summary>The previous circuit-handshake key file, kept for the overlap.</summary>
    public const string PreviousCircuitHandshakeKeyFileName = "circuit-handshake.previous.key";

    // A handshake reads Current once and may still be using a replaced key for a moment: keys that leave the set are
    // erased only after this long, far beyond any handshake timeout.
    private static readonly TimeSpan s_eraseDelay = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_rotationRetry = TimeSpan.FromMinutes(1);

    private readonly string _folder;
    private readonly RelayOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _rotation = new();
    private readonly ITimer _timer;
    private readonly RelayHostMetrics? _metrics;
    private readonly List<(SecretKey Key, DateTimeOffset EraseAt)> _retired = [];
    private Slot<LinkKey> _link;
    private Slot<CircuitHandshakeKey> _circuit;
    private RelayKeySet _current;
    private bool _disposed;

    /// <summary>Opens the keys in <see cref="RelayOptions.DataDirectory"/> and starts the rotation timer.</summary>
    /// <exception cref="KeyFileException">The identity key is missing, unreadable or corrupt, or a key cannot be written.</exception>
    public RelayKeyStore(IOptions<RelayOptions> options, TimeProvider timeProvider, ILogger<RelayKeyStore> logger, IMeterFactory? meterFactory = null)
    {
        _metrics = meterFactory is null ? null : new RelayHostMetrics(meterFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _folder = _options.DataDirectory;
        _clock = timeProvider;
        _logger = logger;
        Identity = ReadIdentity(_folder);
        try
        {
            var now = _clock.GetUtcNow();
            _link = Load<LinkKey>(LinkKeyFileName, PreviousLinkKeyFileName, now);
            _circuit = Load<CircuitHandshakeKey>(CircuitHandshakeKeyFileName, PreviousCircuitHandshakeKeyFileName, now);
            _current = Snapshot();
            _timer = _clock.CreateTimer(_ => RotateOnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        catch
        {
            Identity.Dispose();
            throw;
        }

        RotateIfDue();
    }

    /// <summary>Raised (on the timer's thread) after a new link or circuit-handshake key became current.</summary>
    public event EventHandler<RelayKeyRotation>? Rotated;

    /// <summary>The long-term identity (never replaced without the operator asking).</summary>
    public RelayIdentityKey Identity { get; }

    /// <summary>The identity's public key, the relay's id in the network.</summary>
    public RelayId Id => Identity.Id;

    /// <summary>The keys to answer with now (read it once per handshake).</summary>
    public RelayKeySet Current => Volatile.Read(ref _current);

    /// <summary>Reads the identity key file in <paramref name="dataDirectory"/>.</summary>
    /// <exception cref="KeyFileException">Missing, too open, unreadable or corrupt: the relay must not start.</exception>
    public static RelayIdentityKey ReadIdentity(string dataDirectory) =>
        KeyFile.Read<RelayIdentityKey>(Path.Combine(dataDirectory, IdentityFileName));

    /// <summary>
    /// The rotation timer's callback: a failure to write a key file (disk full, a read-only data directory) must not
    /// escape a timer thread and stop the relay. The keys in use stay as they were and the rotation is tried again.
    /// </summary>
    private void RotateOnTimer()
    {
        try
        {
            RotateIfDue();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or KeyFileException)
        {
            // The first failure comes at the end of a key's lifetime, a whole overlap (7 days by default) before the
            // descriptor's keys expire: the warning TEST-MATRIX KY-01 asks for, with the time that is left.
            var current = Current;
            RelayKeyLog.RotationFailed(_logger, s_rotationRetry, e.Message, Earliest(current.LinkKeyExpires, current.CircuitHandshakeKeyExpires));
            lock (_rotation)
            {
                if (!_disposed)
                {
                    _timer.Change(s_rotationRetry, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    /// <summary>
    /// Replaces every key whose lifetime is over and drops previous keys whose overlap is over, then arms the timer for
    /// the next such moment. Called by the timer; safe to call at any time.
    /// </summary>
    public void RotateIfDue()
    {
        RelayKeyRotation? rotated = null;
        lock (_rotation)
        {
            if (_disposed)
            {
                return;
            }

            var now = _clock.GetUtcNow();
            EraseRetired(now);
            var linkRotated = Rotate(ref _link, LinkKeyFileName, PreviousLinkKeyFileName, _options.LinkKeyLifetime, now, "link");
            var circuitRotated = Rotate(ref _circuit, CircuitHandshakeKeyFileName, PreviousCircuitHandshakeKeyFileName, _options.CircuitHandshakeKeyLifetime, now, "circuit-handshake");
            var dropped = Drop(ref _link, PreviousLinkKeyFileName, _options.LinkKeyOverlap, now, "link") |
                Drop(ref _circuit, PreviousCircuitHandshakeKeyFileName, _options.CircuitHandshakeKeyOverlap, now, "circuit-handshake");
            if (linkRotated || circuitRotated || dropped)
            {
                Volatile.Write(ref _current, Snapshot());
            }

            if (linkRotated)
            {
                _metrics?.Rotation("link");
            }

            if (circuitRotated)
            {
                _metrics?.Rotation("circuit_handshake");
            }

            if (linkRotated || circuitRotated)
            {
                rotated = new RelayKeyRotation(_current, linkRotated, circuitRotated);
            }

            var next = Earliest(
                _link.Since + _options.LinkKeyLifetime,
                _circuit.Since + _options.CircuitHandshakeKeyLifetime,
                _link.Previous is null ? DateTimeOffset.MaxValue : _link.PreviousSince + _options.LinkKeyOverlap,
                _circuit.Previous is null ? DateTimeOffset.MaxValue : _circuit.PreviousSince + _options.CircuitHandshakeKeyOverlap,
                _retired.Count == 0 ? DateTimeOffset.MaxValue : _retired.Min(r => r.EraseAt));
            var due = next - now;
            _timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }

        if (rotated is not null)
        {
            Rotated?.Invoke(this, rotated);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_rotation)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            _link.Current.Dispose();
            _link.Previous?.Dispose();
            _circuit.Current.Dispose();
            _circuit.Previous?.Dispose();
            foreach (var (key, _) in _retired)
            {
                key.Dispose();
            }

            _retired.Clear();
            Identity.Dispose();
        }
    }

    private static DateTimeOffset Earliest(params ReadOnlySpan<DateTimeOffset> times)
    {
        var earliest = DateTimeOffset.MaxValue;
        foreach (var time in times)
        {
            earliest = time < earliest ? time : earliest;
        }

        return earliest;
    }

    private RelayKeySet Snapshot() =>
        new(_link.Current, _link.Previous, _circuit.Current, _circuit.Previous)
        {
            LinkKeyExpires = _link.Since + _options.LinkKeyLifetime + _options.LinkKeyOverlap,
            CircuitHandshakeKeyExpires = _circuit.Since + _options.CircuitHandshakeKeyLifetime + _options.CircuitHandshakeKeyOverlap,
        };

    private Slot<TKey> Load<TKey>(string currentName, string previousName, DateTimeOffset now)
        where TKey : SecretKey, ISecretKeyRole<TKey>
    {
        var path = Path.Combine(_folder, currentName);
        TKey current;
        DateTimeOffset since;
        if (TryRead<TKey>(path, out var loaded))
        {
            current = loaded;
            since = FileTime(path, now);
        }
        else
        {
            current = TKey.Generate();
            Store(current, path, now);
            since = now;
            RelayKeyLog.KeyCreated(_logger, currentName);
        }

        var previousPath = Path.Combine(_folder, previousName);
        TKey? previous = null;
        var previousSince = now;
        if (File.Exists(previousPath))
        {
            if (TryRead<TKey>(previousPath, out var old))
            {
                previous = old;
                previousSince = FileTime(previousPath, now);
            }
            else
            {
                TryDelete(previousPath);
            }
        }

        return new Slot<TKey>(current, since, previous, previousSince);
    }

    // A non-identity key that cannot be used is replaced: nothing is lost but a key the next descriptor replaces.
    private bool TryRead<TKey>(string path, out TKey key)
        where TKey : SecretKey, ISecretKeyRole<TKey>
    {
        try
        {
            key = KeyFile.Read<TKey>(path);
            return true;
        }
        catch (KeyFileException e) when (e.Problem == KeyFileProblem.NotFound)
        {
            key = null!;
            return false;
        }
        catch (KeyFileException e) when (e.Problem is KeyFileProblem.Invalid or KeyFileProblem.PermissionsTooOpen)
        {
            RelayKeyLog.KeyReplaced(_logger, Path.GetFileName(path), e.Message);
            key = null!;
            return false;
        }
    }

    private bool Rotate<TKey>(ref Slot<TKey> slot, string currentName, string previousName, TimeSpan lifetime, DateTimeOffset now, string what)
        where TKey : SecretKey, ISecretKeyRole<TKey>
    {
        if (now < slot.Since + lifetime)
        {
            return false;
        }

        // The replaced key is written as the previous one first: a crash in between leaves the old key current, which
        // is then rotated again at the next start.
        var fresh = TKey.Generate();
        try
        {
            Store(slot.Current, Path.Combine(_folder, previousName), now);
            Store(fresh, Path.Combine(_folder, currentName), now);
        }
        catch
        {
            // Nothing in memory changed: the current key stays current and the new one is wiped.
            fresh.Dispose();
            throw;
        }

        if (slot.Previous is not null)
        {
            _retired.Add((slot.Previous, now + s_eraseDelay));
        }

        slot = new Slot<TKey>(fresh, now, slot.Current, now);
        RelayKeyLog.KeyRotated(_logger, what);
        return true;
    }

    private bool Drop<TKey>(ref Slot<TKey> slot, string previousName, TimeSpan overlap, DateTimeOffset now, string what)
        where TKey : SecretKey
    {
        if (slot.Previous is null || now < slot.PreviousSince + overlap)
        {
            return false;
        }

        TryDelete(Path.Combine(_folder, previousName));
        _retired.Add((slot.Previous, now + s_eraseDelay));
        slot = slot with { Previous = null };
        RelayKeyLog.PreviousKeyDropped(_logger, what);
        return true;
    }

    private void EraseRetired(DateTimeOffset now)
    {
        for (var i = _retired.Count - 1; i >= 0; i--)
        {
            if (_retired[i].EraseAt <= now)
            {
                _retired[i].Key.Dispose();
                _retired.RemoveAt(i);
            }
        }
    }

    private static void Store(SecretKey key, string path, DateTimeOffset now)
    {
        KeyFile.Write(key, path, replace: true);
        try
        {
            File.SetLastWriteTimeUtc(path, now.UtcDateTime);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException(path, KeyFileProblem.Inaccessible, "could not set its time: " + e.Message, e);
        }
    }

    // A time ahead of the clock (the clock was set back) counts as now, so that a key is never used past its lifetime
    // plus that difference.
    private static DateTimeOffset FileTime(string path, DateTimeOffset now)
    {
        var written = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
        return written > now ? now : written;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private readonly record struct Slot<TKey>(TKey Current, DateTimeOffset Since, TKey? Previous, DateTimeOffset PreviousSince)
        where TKey : SecretKey;
}

/// <summary>The key store's log lines (event ids 100–119). Key material and ids never appear.</summary>
internal static partial class RelayKeyLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Made a new key file {File}.")]
    public static partial void KeyCreated(ILogger logger, string file);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Key file {File} could not be used and is replaced by a new key: {Problem}")]
    public static partial void KeyReplaced(ILogger logger, string file, string problem);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Rotated the {Key} key; the previous one is answered until its overlap ends.")]
    public static partial void KeyRotated(ILogger logger, string key);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "The previous {Key} key's overlap is over; it is no longer answered.")]
    public static partial void PreviousKeyDropped(ILogger logger, string key);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Could not write a rotated key; the current keys stay in use and rotation is tried again in {Retry}: {Problem}. The published keys expire at {Expires:u}; from then on the authorities stop listing this relay until a rotation succeeds")]
    public static partial void RotationFailed(ILogger logger, TimeSpan retry, string problem, DateTimeOffset expires);
}
