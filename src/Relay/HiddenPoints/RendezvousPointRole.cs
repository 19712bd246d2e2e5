using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.HiddenPoints;

/// <summary>
/// The rendezvous point (rend-spec-v3 §3.4). ESTABLISH_RENDEZVOUS on a fresh circuit registers its cookie; RENDEZVOUS1
/// from another fresh circuit quoting the cookie sends RENDEZVOUS2 on the waiting circuit and joins the two
/// (<see cref="RelayCircuit.TryJoin"/>). Thread-safe: circuits call it concurrently; the tables are its own, behind
/// one lock.
/// </summary>
/// <remarks>
/// A cookie is remembered for at least <see cref="HiddenPointRoleOptions.CookieReplayWindow"/> after it was registered
/// (<see cref="CookieReplayFilter"/>): a second ESTABLISH_RENDEZVOUS with it (still waiting or not) closes that circuit.
/// No number of other cookies makes the point forget one sooner: when
/// <see cref="HiddenPointRoleOptions.MaxRememberedCookies"/> are remembered, new ESTABLISH_RENDEZVOUS are refused until
/// old cookies expire. A circuit waits at most <see cref="HiddenPointRoleOptions.RendezvousWaitTimeout"/>; RENDEZVOUS1
/// with an unknown cookie closes its circuit.
/// </remarks>
public sealed class RendezvousPointRole : IRelayMessageRole
{
    private readonly Lock _gate = new();
    private readonly Dictionary<byte[], Waiting> _waiting = new(SecretKeyComparer.Instance);
    private readonly CookieReplayFilter _remembered;
    private readonly HiddenPointRoleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HiddenPointMetrics _metrics;
    private bool _full;

    /// <summary>Creates the role.</summary>
    public RendezvousPointRole(
        IOptions<HiddenPointRoleOptions> options,
        TimeProvider timeProvider,
        ILogger<RendezvousPointRole> logger,
        System.Diagnostics.Metrics.IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _options = HiddenPointRoleOptionsValidator.Checked(options.Value);
        _time = timeProvider;
        _logger = logger;
        _metrics = new HiddenPointMetrics(meterFactory);
        _remembered = new CookieReplayFilter(timeProvider, _options.CookieReplayWindow, _options.MaxRememberedCookies);
    }

    /// <summary>Circuits waiting for RENDEZVOUS1 now.</summary>
    public int WaitingCircuits
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <inheritdoc/>
    public bool OnMessage(RelayCircuitContext circuit, RelayCellView cell)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        return cell.Command switch
        {
            RelayCommand.EstablishRendezvous => OnEstablish(circuit, cell.Data),
            RelayCommand.Rendezvous1 => OnRendezvous1(circuit, cell.Data),
            _ => false,
        };
    }

    /// <inheritdoc/>
    public void OnCircuitClosed(RelayCircuitContext circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (circuit.RoleState is Waiting waiting)
        {
            Forget(waiting);
        }
    }

    private static bool IsFresh(RelayCircuitContext circuit) =>
        circuit.Purpose == RelayCircuitPurpose.None && circuit.RoleState is null
        && !circuit.Circuit.IsExtended && !circuit.Circuit.IsJoined;

    private bool OnEstablish(RelayCircuitContext circuit, ReadOnlySpan<byte> data)
    {
        if (!IsFresh(circuit))
        {
            return Refuse("circuit_in_use");
        }

        if (!RelayMessage.TryDecode(RelayCommand.EstablishRendezvous, data, out var decoded, out _)
            || decoded is not EstablishRendezvousMessage message)
        {
            return Refuse("malformed");
        }

        var cookie = message.Cookie.ToArray();
        var now = _time.GetTimestamp();
        var waiting = new Waiting(cookie, circuit);

        // Everything a RENDEZVOUS1 on another circuit reads is set before the registration becomes visible to it.
        circuit.Purpose = RelayCircuitPurpose.RendezvousWaiting;
        circuit.RoleState = waiting;
        waiting.Timer = _time.CreateTimer(OnWaitTimeout, waiting, _options.RendezvousWaitTimeout, Timeout.InfiniteTimeSpan);
        CookieCheck check;
        var becameFull = false;
        lock (_gate)
        {
            check = _waiting.ContainsKey(cookie) ? CookieCheck.Replayed : _remembered.TryRemember(cookie, now);
            if (check == CookieCheck.Remembered)
            {
                _waiting.Add(cookie, waiting);
                _full = false;
            }
            else if (check == CookieCheck.Full && !_full)
            {
                _full = becameFull = true;
            }
        }

        if (check != CookieCheck.Remembered)
        {
            waiting.Timer.Dispose();
            circuit.RoleState = null;
            circuit.Purpose = RelayCircuitPurpose.None;
            if (check == CookieCheck.Full)
            {
                if (becameFull)
                {
                    HiddenPointLog.RendezvousCookiesFull(_logger, _options.MaxRememberedCookies);
                }

                return Refuse("cookies_full");
            }

            return Refuse("cookie_reused");
        }

        RoleSender.Send(circuit.Circuit, new RendezvousEstablishedMessage());
        _metrics.RendezvousEstablished();
        HiddenPointLog.RendezvousEstablished(_logger);
        return true;
    }

    private bool OnRendezvous1(RelayCircuitContext circuit, ReadOnlySpan<byte> data)
    {
        if (!IsFresh(circuit))
        {
            return Refuse("circuit_in_use");
        }

        if (!RelayMessage.TryDecode(RelayCommand.Rendezvous1, data, out var decoded, out _)
            || decoded is not Rendezvous1Message message)
        {
            return Refuse("malformed");
        }

        Waiting? waiting;
        lock (_gate)
        {
            if (_waiting.Remove(message.Cookie.ToArray(), out waiting))
            {
                waiting.Taken = true;
            }
        }

        if (waiting is null)
        {
            return Refuse("unknown_cookie");
        }

        waiting.Timer?.Dispose();
        var client = waiting.Circuit.Circuit;

        if (!circuit.Circuit.TryJoin(client))
        {
            _ = client.CloseAsync();
            return Refuse("join_failed");
        }

        circuit.Purpose = RelayCircuitPurpose.RendezvousJoined;
        circuit.RoleState = waiting;

        // The waiting circuit's own reactor no longer writes its purpose (it is neither None nor free to take a role),
        // so setting it from here races nothing.
        waiting.Circuit.Purpose = RelayCircuitPurpose.RendezvousJoined;

        // This runs on the host circuit's reactor, so none of the host's cells has crossed yet: RENDEZVOUS2 enters the
        // client circuit's queue ahead of all of them. A send that cannot be queued at once would lose that order, and
        // closing this circuit closes both.
        if (RoleSender.Send(client, message.ToRendezvous2()) != CircuitSendResult.Queued)
        {
            return Refuse("rendezvous2_not_queued");
        }

        _metrics.RendezvousJoined();
        HiddenPointLog.RendezvousJoined(_logger);
        return true;
    }

    private void OnWaitTimeout(object? state)
    {
        // A timer callback's exception would end the process: it is logged as a bug instead.
        try
        {
            CloseWaiting((Waiting)state!);
        }
#pragma warning disable CA1031 // Nothing may escape a timer thread.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HiddenPointLog.RoleTimerFailed(_logger, ex);
        }
    }

    private void CloseWaiting(Waiting waiting)
    {
        lock (_gate)
        {
            if (waiting.Taken || !_waiting.Remove(waiting.Cookie))
            {
                return;
            }

            waiting.Taken = true;
        }

        _metrics.RendezvousRefused("timeout");
        HiddenPointLog.RendezvousTimedOut(_logger);
        _ = waiting.Circuit.Circuit.CloseAsync();
    }

    private void Forget(Waiting waiting)
    {
        waiting.Timer?.Dispose();
        lock (_gate)
        {
            if (!waiting.Taken && _waiting.TryGetValue(waiting.Cookie, out var current) && ReferenceEquals(current, waiting))
            {
                _waiting.Remove(waiting.Cookie);
                waiting.Taken = true;
            }
        }
    }

    private bool Refuse(string reason)
    {
        _metrics.RendezvousRefused(reason);
        HiddenPointLog.RendezvousRefused(_logger, reason);
        return false;
    }

    private sealed class Waiting(byte[] cookie, RelayCircuitContext circuit)
    {
        public byte[] Cookie { get; } = cookie;

        public RelayCircuitContext Circuit { get; } = circuit;

        public ITimer? Timer { get; set; }

        /// <summary>Set under the role's lock once the registration is joined, timed out or closed.</summary>
        public bool Taken { get; set; }
    }
}
