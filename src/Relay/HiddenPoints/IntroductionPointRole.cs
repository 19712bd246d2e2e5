using System.Security.Cryptography;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.HiddenPoints;

/// <summary>
/// The introduction point (rend-spec-v3 §3.1–3.2). ESTABLISH_INTRO on a fresh circuit (MAC by the circuit's binding
/// key, Ed25519 signature by the auth key) registers the auth key to that circuit; INTRODUCE1 on another fresh circuit
/// naming that key is passed on unchanged as INTRODUCE2 and answered with INTRODUCE_ACK. Thread-safe: circuits call it
/// concurrently; the registry is its own, behind one lock.
/// </summary>
/// <remarks>
/// Each introduction circuit has a token bucket (<see cref="HiddenPointRoleOptions.IntroduceRatePerSecond"/>,
/// <see cref="HiddenPointRoleOptions.IntroduceBurst"/>); an INTRODUCE1 beyond it is answered with
/// <see cref="IntroduceAckStatus.RelayFailed"/> and not passed on. ESTABLISH_INTRO extensions (Tor's DoS parameters)
/// are carried but not applied.
/// </remarks>
public sealed class IntroductionPointRole : IRelayMessageRole
{
    private readonly Lock _gate = new();
    private readonly Dictionary<byte[], Registration> _byAuthKey = new(SecretKeyComparer.Instance);
    private readonly HiddenPointRoleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HiddenPointMetrics _metrics;

    /// <summary>Creates the role.</summary>
    public IntroductionPointRole(
        IOptions<HiddenPointRoleOptions> options,
        TimeProvider timeProvider,
        ILogger<IntroductionPointRole> logger,
        System.Diagnostics.Metrics.IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _options = HiddenPointRoleOptionsValidator.Checked(options.Value);
        _time = timeProvider;
        _logger = logger;
        _metrics = new HiddenPointMetrics(meterFactory);
    }

    /// <summary>Auth keys registered now.</summary>
    public int Registered
    {
        get
        {
            lock (_gate)
            {
                return _byAuthKey.Count;
            }
        }
    }

    /// <inheritdoc/>
    public bool OnMessage(RelayCircuitContext circuit, RelayCellView cell)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        return cell.Command switch
        {
            RelayCommand.EstablishIntro => OnEstablishIntro(circuit, cell.Data),
            RelayCommand.Introduce1 => OnIntroduce1(circuit, cell.Data),
            _ => false,
        };
    }

    /// <inheritdoc/>
    public void OnCircuitClosed(RelayCircuitContext circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (circuit.RoleState is not Registration registration)
        {
            return;
        }

        lock (_gate)
        {
            // A newer circuit may have taken the key over: only this circuit's own entry goes.
            if (_byAuthKey.TryGetValue(registration.AuthKey, out var current) && ReferenceEquals(current, registration))
            {
                _byAuthKey.Remove(registration.AuthKey);
            }
        }
    }

    private static bool IsFresh(RelayCircuitContext circuit) =>
        circuit.Purpose == RelayCircuitPurpose.None && circuit.RoleState is null
        && !circuit.Circuit.IsExtended && !circuit.Circuit.IsJoined;

    private bool OnEstablishIntro(RelayCircuitContext circuit, ReadOnlySpan<byte> data)
    {
        if (!IsFresh(circuit))
        {
            return RefuseEstablish("circuit_in_use");
        }

        if (!RelayMessage.TryDecode(RelayCommand.EstablishIntro, data, out var decoded, out _)
            || decoded is not EstablishIntroMessage message)
        {
            return RefuseEstablish("malformed");
        }

        switch (EstablishIntroAuthentication.Check(data, message, circuit.BindingKey))
        {
            case EstablishIntroCheck.BadMac:
                return RefuseEstablish("bad_mac");
            case EstablishIntroCheck.BadSignature:
                return RefuseEstablish("bad_signature");
        }

        var registration = new Registration(
            message.AuthKey.ToArray(),
            circuit.Circuit,
            new TokenBucket(_time, _options.IntroduceRatePerSecond, _options.IntroduceBurst));
        bool replaced;
        Registration? old;
        lock (_gate)
        {
            replaced = _byAuthKey.Remove(registration.AuthKey, out old);
            _byAuthKey.Add(registration.AuthKey, registration);
        }

        if (replaced)
        {
            // The old circuit will never carry an introduction again: close it rather than keep it open for nothing.
            HiddenPointLog.IntroReplaced(_logger);
            if (old is not null && !ReferenceEquals(old.Circuit, circuit.Circuit))
            {
                _ = old.Circuit.CloseAsync();
            }
        }

        circuit.Purpose = RelayCircuitPurpose.IntroductionPoint;
        circuit.RoleState = registration;
        RoleSender.Send(circuit.Circuit, new IntroEstablishedMessage());
        _metrics.IntroEstablished();
        HiddenPointLog.IntroEstablished(_logger);
        return true;
    }

    private bool RefuseEstablish(string reason)
    {
        _metrics.IntroRefused(reason);
        HiddenPointLog.IntroRefused(_logger, reason);
        return false;
    }

    private bool OnIntroduce1(RelayCircuitContext circuit, ReadOnlySpan<byte> data)
    {
        if (!IsFresh(circuit))
        {
            // Tor's rule: one INTRODUCE1 per circuit, and never on a circuit used for anything else.
            _metrics.IntroductionRefused("circuit_in_use");
            HiddenPointLog.IntroductionRefused(_logger, "circuit_in_use");
            return false;
        }

        // The purpose is what the engine checks before an EXTEND2: an introducing circuit is never extended.
        circuit.Purpose = RelayCircuitPurpose.Introducing;
        circuit.RoleState = IntroduceUsed.Instance;
        var status = Introduce(data, out var reason);
        if (status == IntroduceAckStatus.Success)
        {
            _metrics.IntroductionForwarded();
        }
        else
        {
            _metrics.IntroductionRefused(reason);
            HiddenPointLog.IntroductionRefused(_logger, reason);
        }

        RoleSender.Send(circuit.Circuit, new IntroduceAckMessage(status));
        return true;
    }

    private IntroduceAckStatus Introduce(ReadOnlySpan<byte> data, out string reason)
    {
        if (!RelayMessage.TryDecode(RelayCommand.Introduce1, data, out var decoded, out _)
            || decoded is not Introduce1Message message)
        {
            reason = "malformed";
            return IntroduceAckStatus.BadMessageFormat;
        }

        RelayCircuit target;
        lock (_gate)
        {
            if (!_byAuthKey.TryGetValue(message.AuthKey.ToArray(), out var registration))
            {
                reason = "unknown_service";
                return IntroduceAckStatus.ServiceNotRecognized;
            }

            if (!registration.Bucket.TryTake())
            {
                reason = "rate_limited";
                return IntroduceAckStatus.RelayFailed;
            }

            target = registration.Circuit;
        }

        // The same bytes, now as INTRODUCE2, on the host's circuit: posted to its reactor through its send queue.
        if (RoleSender.Send(target, RelayCommand.Introduce2, data) == CircuitSendResult.Closed)
        {
            reason = "intro_circuit_closed";
            return IntroduceAckStatus.RelayFailed;
        }

        reason = string.Empty;
        return IntroduceAckStatus.Success;
    }

    private sealed record Registration(byte[] AuthKey, RelayCircuit Circuit, TokenBucket Bucket);

    /// <summary>Marks a circuit that carried its one INTRODUCE1.</summary>
    private sealed class IntroduceUsed
    {
        public static IntroduceUsed Instance { get; } = new();
    }
}
