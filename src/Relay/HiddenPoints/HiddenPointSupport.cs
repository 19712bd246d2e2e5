using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Diagnostics;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Relay.HiddenPoints;

/// <summary>
/// Equality for table keys chosen by the network (auth keys, cookies): the hash is <see cref="HashCode"/>, whose seed
/// is random per process, so a peer cannot aim many keys at one bucket; equality is compared in constant time.
/// </summary>
internal sealed class SecretKeyComparer : IEqualityComparer<byte[]>
{
    public static SecretKeyComparer Instance { get; } = new();

    public bool Equals(byte[]? x, byte[]? y) =>
        x is not null && y is not null && CryptographicOperations.FixedTimeEquals(x, y);

    public int GetHashCode(byte[] obj)
    {
        var hash = default(HashCode);
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}

/// <summary>A token bucket on a <see cref="TimeProvider"/>'s timestamps. Not thread-safe: its owner locks.</summary>
internal sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private readonly double _ratePerSecond;
    private readonly double _burst;
    private double _tokens;
    private long _last;

    public TokenBucket(TimeProvider time, int ratePerSecond, int burst)
    {
        _time = time;
        _ratePerSecond = ratePerSecond;
        _burst = burst;
        _tokens = burst;
        _last = time.GetTimestamp();
    }

    public bool TryTake()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_last, now).TotalSeconds;
        _last = now;
        _tokens = Math.Min(_burst, _tokens + (elapsed * _ratePerSecond));
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}

/// <summary>Sends relay messages from this relay on a circuit, each in a pooled cell.</summary>
internal static class RoleSender
{
    /// <summary>
    /// Queues <paramref name="message"/> on <paramref name="circuit"/> without waiting: on the reactor a role must not
    /// block, and the circuit's own queue bounds what waits. Returns what is known at once: Queued, Closed, or null
    /// while the send still waits for a slot.
    /// </summary>
    public static CircuitSendResult? Send(RelayCircuit circuit, RelayMessage message, StreamId streamId = default)
    {
        var cell = circuit.Pool.Rent();
        RelayCell.Encode(cell.Body, message, streamId, RandomPaddingSource.Instance);
        var pending = circuit.SendAsync(cell);
        if (pending.IsCompleted)
        {
            return pending.Result;
        }

        _ = Observe(pending);
        return null;
    }

    /// <summary>Queues a message whose data is given as bytes (INTRODUCE2 carries INTRODUCE1's bytes unchanged).</summary>
    public static CircuitSendResult? Send(RelayCircuit circuit, RelayCommand command, ReadOnlySpan<byte> data, StreamId streamId = default)
    {
        var cell = circuit.Pool.Rent();
        RelayCell.Encode(cell.Body, command, streamId, data, RandomPaddingSource.Instance);
        var pending = circuit.SendAsync(cell);
        if (pending.IsCompleted)
        {
            return pending.Result;
        }

        _ = Observe(pending);
        return null;
    }

    private static async Task Observe(ValueTask<CircuitSendResult> pending) => await pending.ConfigureAwait(false);
}

/// <summary>The hidden-point roles' instruments, from the relay's meter (aggregate counts only).</summary>
internal sealed class HiddenPointMetrics
{
    private readonly Counter<long> _introEstablished;
    private readonly Counter<long> _introRefused;
    private readonly Counter<long> _introductions;
    private readonly Counter<long> _introductionsRefused;
    private readonly Counter<long> _rendezvousEstablished;
    private readonly Counter<long> _rendezvousJoined;
    private readonly Counter<long> _rendezvousRefused;
    private readonly Counter<long> _directoryRequests;

    public HiddenPointMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _introEstablished = meter.CreateCounter<long>("hpc.relay.intro.established", "{circuit}", "Introduction circuits established (ESTABLISH_INTRO accepted).");
        _introRefused = meter.CreateCounter<long>("hpc.relay.intro.establish_refused", "{message}", "ESTABLISH_INTRO refused, by reason.");
        _introductions = meter.CreateCounter<long>("hpc.relay.intro.introductions", "{message}", "INTRODUCE1 forwarded as INTRODUCE2.");
        _introductionsRefused = meter.CreateCounter<long>("hpc.relay.intro.introductions_refused", "{message}", "INTRODUCE1 not forwarded, by reason.");
        _rendezvousEstablished = meter.CreateCounter<long>("hpc.relay.rendezvous.established", "{circuit}", "Circuits waiting at this rendezvous point.");
        _rendezvousJoined = meter.CreateCounter<long>("hpc.relay.rendezvous.joined", "{join}", "Circuit pairs joined at this rendezvous point.");
        _rendezvousRefused = meter.CreateCounter<long>("hpc.relay.rendezvous.refused", "{message}", "ESTABLISH_RENDEZVOUS or RENDEZVOUS1 refused, by reason.");
        _directoryRequests = meter.CreateCounter<long>("hpc.relay.directory.requests", "{request}", "Directory streams answered, by resource and status.");
    }

    public void IntroEstablished() => _introEstablished.Add(1);

    public void IntroRefused(string reason) => _introRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void IntroductionForwarded() => _introductions.Add(1);

    public void IntroductionRefused(string reason) => _introductionsRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void RendezvousEstablished() => _rendezvousEstablished.Add(1);

    public void RendezvousJoined() => _rendezvousJoined.Add(1);

    public void RendezvousRefused(string reason) => _rendezvousRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void DirectoryRequest(string resource, DirectoryStatus status) => _directoryRequests.Add(
        1,
        new KeyValuePair<string, object?>("resource", resource),
        new KeyValuePair<string, object?>("status", StatusName(status)));

    private static string StatusName(DirectoryStatus status) => status switch
    {
        DirectoryStatus.Ok => "ok",
        DirectoryStatus.NotFound => "not_found",
        DirectoryStatus.NotModified => "not_modified",
        DirectoryStatus.BadRequest => "bad_request",
        DirectoryStatus.TooLarge => "too_large",
        DirectoryStatus.Rejected => "rejected",
        DirectoryStatus.Unavailable => "unavailable",
        DirectoryStatus.NotResponsible => "not_responsible",
        _ => "other",
    };
}

/// <summary>
/// Logging of the hidden-point roles (event ids 40xx introduction point, 42xx directory streams, 43xx faults, 44xx
/// rendezvous point; 41xx is the HSDir store's, docs/development.md keeps the registry). Never a key, cookie, blinded key or anything that names a
/// circuit: only what happened and why.
/// </summary>
internal static partial class HiddenPointLog
{
    [LoggerMessage(4001, LogLevel.Debug, "Introduction circuit established", EventName = "IntroEstablished")]
    public static partial void IntroEstablished(ILogger logger);

    [LoggerMessage(4002, LogLevel.Debug, "ESTABLISH_INTRO refused: {Reason}", EventName = "IntroRefused")]
    public static partial void IntroRefused(ILogger logger, string reason);

    [LoggerMessage(4003, LogLevel.Debug, "INTRODUCE1 not forwarded: {Reason}", EventName = "IntroductionRefused")]
    public static partial void IntroductionRefused(ILogger logger, string reason);

    [LoggerMessage(4004, LogLevel.Debug, "An introduction circuit's registration was taken over by a newer circuit", EventName = "IntroReplaced")]
    public static partial void IntroReplaced(ILogger logger);

    [LoggerMessage(4401, LogLevel.Debug, "Rendezvous circuit waiting", EventName = "RendezvousEstablished")]
    public static partial void RendezvousEstablished(ILogger logger);

    [LoggerMessage(4402, LogLevel.Debug, "Rendezvous circuits joined", EventName = "RendezvousJoined")]
    public static partial void RendezvousJoined(ILogger logger);

    [LoggerMessage(4403, LogLevel.Debug, "Rendezvous refused: {Reason}", EventName = "RendezvousRefused")]
    public static partial void RendezvousRefused(ILogger logger, string reason);

    [LoggerMessage(4404, LogLevel.Debug, "A rendezvous circuit waited too long and was closed", EventName = "RendezvousTimedOut")]
    public static partial void RendezvousTimedOut(ILogger logger);

    [LoggerMessage(4405, LogLevel.Warning, "The rendezvous point remembers {Cookies} cookies, its most; new rendezvous are refused until the oldest leave their replay window", EventName = "RendezvousCookiesFull")]
    public static partial void RendezvousCookiesFull(ILogger logger, int cookies);

    [LoggerMessage(4201, LogLevel.Debug, "Directory stream answered: {Resource} {Status}", EventName = "DirectoryAnswered")]
    public static partial void DirectoryAnswered(ILogger logger, string resource, DirectoryStatus status);

    [LoggerMessage(4202, LogLevel.Debug, "Directory stream refused: {Reason}", EventName = "DirectoryStreamRefused")]
    public static partial void DirectoryStreamRefused(ILogger logger, string reason);

    [LoggerMessage(4203, LogLevel.Warning, "A directory stream failed", EventName = "DirectoryStreamFailed")]
    public static partial void DirectoryStreamFailed(ILogger logger, Exception exception);

    [LoggerMessage(4301, LogLevel.Error, "Bug: a hidden-point role's timer failed; the relay carries on", EventName = "RoleTimerFailed")]
    public static partial void RoleTimerFailed(ILogger logger, Exception exception);
}
