using System.Net;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Keys;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// Carries out EXTEND2: only to a relay the consensus lists, only at an address the EXTEND2 names and the consensus
/// lists for it, over the link the link manager reuses or launches; then CREATE2 with the client's handshake
/// unchanged, and EXTENDED2 back once CREATED2 comes. The outcome is an <see cref="ExtendOutcome"/>; any but
/// <see cref="ExtendOutcome.Extended"/> closes the circuit.
/// </summary>
internal sealed class CircuitExtender(
    IRelayKeys keys,
    ListedRelays listed,
    LinkManager relayLinks,
    RelayEngineOptions options,
    TimeProvider time,
    RelayEngineMetrics metrics,
    ILogger logger,
    CancellationToken stopping)
{
    /// <summary>Starts extending <paramref name="context"/>'s circuit; runs off the circuit's reactor.</summary>
    public void Start(RelayCircuitContext context, Extend2Message message) => _ = ExtendAsync(context, message);

    /// <summary>
    /// The address from the link specifiers that the consensus lists for <paramref name="target"/>, or null. An address
    /// that can name no relay (0.0.0.0, ::, IPv4-mapped, zoned, port 0) is never listed: it is passed over like any
    /// other unlisted one, without an exception.
    /// </summary>
    internal static IPEndPoint? ListedEndpoint(RelayStatus target, LinkSpecifiers specifiers)
    {
        foreach (var candidate in (ReadOnlySpan<IPEndPoint?>)[specifiers.IPv4, specifiers.IPv6])
        {
            if (candidate is null || candidate.Port is <= 0 or > ushort.MaxValue
                || !RelayAddress.TryCreate(candidate.Address, (ushort)candidate.Port, out var wanted))
            {
                continue;
            }

            foreach (var listedAddress in target.Addresses)
            {
                if (listedAddress == wanted)
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static ExtendOutcome OutcomeOf(LinkLaunchFailure failure) => failure switch
    {
        LinkLaunchFailure.ConnectFailed or LinkLaunchFailure.HandshakeFailed => ExtendOutcome.ConnectFailed,
        LinkLaunchFailure.Timeout => ExtendOutcome.Timeout,
        LinkLaunchFailure.TooManyLinks => ExtendOutcome.TooManyLinks,
        LinkLaunchFailure.Stopped => ExtendOutcome.Stopping,
        _ => ExtendOutcome.Fault,
    };

    private async Task ExtendAsync(RelayCircuitContext context, Extend2Message message)
    {
        ExtendOutcome outcome;
        try
        {
            outcome = await ExtendCoreAsync(context, message).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A fault while extending closes that circuit only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RelayEngineLog.Fault(logger, ex);
            outcome = ExtendOutcome.Fault;
        }

        metrics.Extend(outcome);
        if (outcome != ExtendOutcome.Extended)
        {
            // HiddenPoint has no TRUNCATED: a failed extension ends the circuit, and the client builds another.
            RelayEngineLog.ExtendFailed(logger, outcome);
            _ = context.Circuit.CloseAsync();
        }
    }

    private async Task<ExtendOutcome> ExtendCoreAsync(RelayCircuitContext context, Extend2Message message)
    {
        if (message.HandshakeType != HandshakeType.NtorV3 || message.HandshakeData.Length > Create2Body.MaxHandshakeLength)
        {
            return ExtendOutcome.BadHandshake;
        }

        var index = listed.Current;
        if (index.Consensus is null)
        {
            return ExtendOutcome.NoConsensus;
        }

        if (!index.Consensus.TryGetRelay(message.Target.Identity, out var target))
        {
            return ExtendOutcome.UnknownRelay;
        }

        if (target.Id == keys.Id)
        {
            return ExtendOutcome.Self;
        }

        var endpoint = ListedEndpoint(target, message.Target);
        if (endpoint is null)
        {
            return ExtendOutcome.AddressNotListed;
        }

        using var timeout = new CancellationTokenSource(options.ExtendTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
        LinkLaunchResult launched;
        try
        {
            launched = await relayLinks.GetOrLaunchAsync(new LinkTarget(target.Id, target.LinkKey, [endpoint]), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return stopping.IsCancellationRequested ? ExtendOutcome.Stopping : ExtendOutcome.Timeout;
        }

        if (launched.Link is not { } link)
        {
            return OutcomeOf(launched.Failure);
        }

        if (!link.TryBeginCircuit(out var pending))
        {
            return ExtendOutcome.LinkFull;
        }

        var create = link.Pool.Rent();
        new Create2Body(message.HandshakeType, message.HandshakeData).Encode(Cell.WriteHeader(create.Span, pending.Id, CellCommand.Create2));
        CircuitCreateResponse response;
        try
        {
            if (!await link.SendAsync(create, linked.Token).ConfigureAwait(false))
            {
                return ExtendOutcome.LinkClosed;
            }

            response = await pending.Response.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await link.AbandonAsync(pending, DestroyReason.Timeout).ConfigureAwait(false);
            return stopping.IsCancellationRequested ? ExtendOutcome.Stopping : ExtendOutcome.Timeout;
        }

        if (response.Failure != CircuitCloseReason.None)
        {
            return response.Failure == CircuitCloseReason.DestroyedByPeer ? ExtendOutcome.Refused : ExtendOutcome.LinkClosed;
        }

        var decoded = Created2Body.TryDecode(response.Created2.Body, out var created, out _);
        link.Pool.Return(response.Created2);
        if (!decoded || created!.HandshakeData.Length > RelayCell.MaxDataLength(RelayCommand.Extended2) - 2)
        {
            await link.AbandonAsync(pending, DestroyReason.Protocol).ConfigureAwait(false);
            return ExtendOutcome.BadCreated2;
        }

        if (!context.Circuit.AttachOutward(pending))
        {
            await link.AbandonAsync(pending, DestroyReason.Finished).ConfigureAwait(false);
            return ExtendOutcome.CircuitClosed;
        }

        var reply = context.Circuit.Pool.Rent();
        RelayCell.Encode(reply.Body, new Extended2Message(created.HandshakeData), default, RandomPaddingSource.Instance);
        var sent = await context.Circuit.SendAsync(reply).ConfigureAwait(false);
        return sent == CircuitSendResult.Queued ? ExtendOutcome.Extended : ExtendOutcome.CircuitClosed;
    }
}
