using System.Security.Cryptography;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.HiddenPoints;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.HiddenPoints;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Protocol.Relay;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Connecting;

/// <summary>
/// Connects to a hidden point by its hidden-id (docs/client.md §5): the descriptor from one of the
/// responsible HSDirs (others on failure), verified and decrypted; a rendezvous circuit and ESTABLISH_RENDEZVOUS;
/// INTRODUCE1 through the descriptor's introduction points in random order until one delivers it; hs_ntor completed
/// from RENDEZVOUS2. Every step is bounded by <see cref="ConnectOptions"/>, and every failure is a
/// <see cref="ConnectException"/> naming the step; cancelling the token ends the connect with
/// <see cref="OperationCanceledException"/>. Thread-safe: connects run independently.
/// </summary>
public sealed class HiddenPointConnector
{
    private readonly ICircuitProvider _circuits;
    private readonly HsDirViewSource _views;
    private readonly ConnectOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DescriptorRevisionFloor _revisions;

    /// <summary>A connector over <paramref name="circuits"/> and the verified <paramref name="consensus"/>.</summary>
    public HiddenPointConnector(
        ICircuitProvider circuits, IConsensusSource consensus, IOptions<ConnectOptions> options, TimeProvider timeProvider, ILogger<HiddenPointConnector> logger)
    {
        ArgumentNullException.ThrowIfNull(circuits);
        ArgumentNullException.ThrowIfNull(consensus);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        options.Value.Validate();
        _circuits = circuits;
        _views = new HsDirViewSource(consensus);
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _revisions = new DescriptorRevisionFloor(timeProvider);
    }

    /// <summary>Connects to the hidden point <paramref name="hiddenId"/> (with or without the <c>.hpc</c> suffix).</summary>
    /// <exception cref="ConnectException">A step failed, or the whole connect took longer than <see cref="ConnectOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<HiddenPointConnection> ConnectAsync(string hiddenId, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        if (!HiddenId.TryParse(hiddenId, HiddenIdLabels.Hpc, out var id, out var idError))
        {
            throw Failed(new ConnectException(ConnectStep.ParseHiddenId, ConnectFailure.MalformedHiddenId) { HiddenIdError = idError });
        }

        if (!_views.TryGetView(out var view, out _))
        {
            throw Failed(new ConnectException(ConnectStep.Consensus, ConnectFailure.NoConsensus));
        }

        using var overall = new Deadline(_options.ConnectTimeout, _time, cancellationToken);
        var step = ConnectStep.FetchDescriptor;
        try
        {
            var (points, subcredential) = await FetchDescriptorAsync(id!, view, overall.Token).ConfigureAwait(false);
            step = ConnectStep.EstablishRendezvous;
            var (rendezvous, cookie) = await EstablishRendezvousAsync(overall.Token).ConfigureAwait(false);
            step = ConnectStep.Introduce;
            try
            {
                var (endToEnd, channelBinding) = await IntroduceAsync(points, subcredential, rendezvous, cookie, view.Consensus, overall.Token).ConfigureAwait(false);
                HiddenPointClientLog.Connected(_logger, (long)_time.GetElapsedTime(started).TotalMilliseconds);
                return new HiddenPointConnection(rendezvous.Circuit, endToEnd, channelBinding);
            }
            catch
            {
                await rendezvous.Circuit.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (ConnectException ex)
        {
            throw Failed(ex);
        }
        catch (OperationCanceledException ex) when (overall.Expired)
        {
            throw Failed(new ConnectException(step, ConnectFailure.TimedOut, ex));
        }
    }

    private static void Shuffle<T>(T[] items) => RandomNumberGenerator.Shuffle<T>(items);

    private ConnectException Failed(ConnectException exception)
    {
        HiddenPointClientLog.ConnectFailed(_logger, exception.Step.ToString(), exception.Failure.ToString());
        return exception;
    }

    private async Task<(IReadOnlyList<HsIntroductionPoint> Points, Subcredential Subcredential)> FetchDescriptorAsync(
        HiddenId id, HsDirView view, CancellationToken cancellationToken)
    {
        var period = view.FetchPeriod;
        var identityKey = id.IdentityKey;
        var blindedKey = KeyBlinding.BlindPublicKey(identityKey, period, KeyBlindingLabels.Hpc);
        var candidates = view.FetchRing.FetchCandidates(blindedKey).ToArray();
        Shuffle(candidates);
        int notFound = 0, invalid = 0;
        HsDescriptorError? lastError = null;
        for (var attempt = 0; attempt < Math.Min(candidates.Length, _options.MaxDescriptorFetchAttempts); attempt++)
        {
            using var deadline = new Deadline(_options.DescriptorFetchTimeout, _time, cancellationToken);
            try
            {
                var provided = await _circuits.GetAsync(CircuitPurpose.HsDir, candidates[attempt], deadline.Token).ConfigureAwait(false);
                await using (provided.Circuit.ConfigureAwait(false))
                {
                    var (status, document) = await HsDirRequests.FetchAsync(provided.Circuit, blindedKey, deadline.Token).ConfigureAwait(false);
                    if (status != DirectoryStatus.Ok)
                    {
                        notFound += status == DirectoryStatus.NotFound ? 1 : 0;
                        HiddenPointClientLog.DescriptorFetchAttemptFailed(_logger, attempt + 1, status.ToString());
                        continue;
                    }

                    if (HiddenPointDescriptor.TryOpen(document, identityKey, period, _time.GetUtcNow(), out var descriptor, out var points, out var error))
                    {
                        if (_revisions.TryAccept(blindedKey, descriptor.RevisionCounter, descriptor.Lifetime))
                        {
                            return (points, KeyBlinding.ComputeSubcredential(identityKey, blindedKey, KeyBlindingLabels.Hpc));
                        }

                        error = new HsDescriptorError(HsDescriptorErrorKind.RevisionRollback, HsDescriptorLayer.Outer, Keyword: "revision-counter");
                    }

                    invalid++;
                    lastError = error;
                    HiddenPointClientLog.DescriptorFetchAttemptFailed(_logger, attempt + 1, "invalid_descriptor_" + error.Kind);
                }
            }
            catch (OperationCanceledException) when (deadline.Expired)
            {
                HiddenPointClientLog.DescriptorFetchAttemptFailed(_logger, attempt + 1, "timeout");
            }
            catch (Exception ex) when (ex is CircuitBuildException or CircuitException)
            {
                HiddenPointClientLog.DescriptorFetchAttemptFailed(_logger, attempt + 1, ex is CircuitException c ? c.Failure.ToString() : "no_circuit");
            }
        }

        throw invalid > 0 ? new ConnectException(ConnectStep.FetchDescriptor, ConnectFailure.DescriptorInvalid) { DescriptorError = lastError }
            : notFound > 0 ? new ConnectException(ConnectStep.FetchDescriptor, ConnectFailure.HiddenPointUnknown)
            : new ConnectException(ConnectStep.FetchDescriptor, ConnectFailure.HsDirsUnreachable);
    }

    private async Task<(ProvidedCircuit Circuit, byte[] Cookie)> EstablishRendezvousAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < _options.MaxRendezvousPointAttempts; attempt++)
        {
            using var deadline = new Deadline(_options.RendezvousSetupTimeout, _time, cancellationToken);
            ProvidedCircuit? provided = null;
            try
            {
                provided = await _circuits.GetAsync(CircuitPurpose.ClientRendezvous, null, deadline.Token).ConfigureAwait(false);
                var cookie = RandomNumberGenerator.GetBytes(HiddenPointWire.RendezvousCookieLength);
                await provided.Circuit.RequestAsync(
                    provided.Circuit.LastHop, new EstablishRendezvousMessage(cookie), RelayCommandSet.Of(RelayCommand.RendezvousEstablished), deadline.Token)
                    .ConfigureAwait(false);
                return (provided, cookie);
            }
            catch (OperationCanceledException) when (deadline.Expired)
            {
            }
            catch (Exception ex) when (ex is CircuitBuildException or CircuitException)
            {
            }

            if (provided is not null)
            {
                await provided.Circuit.DisposeAsync().ConfigureAwait(false);
            }
        }

        throw new ConnectException(ConnectStep.EstablishRendezvous, ConnectFailure.RendezvousPointUnreachable);
    }

    private async Task<(HopIndex EndToEnd, byte[] ChannelBinding)> IntroduceAsync(
        IReadOnlyList<HsIntroductionPoint> points, Subcredential subcredential, ProvidedCircuit rendezvous, byte[] cookie, Consensus consensus,
        CancellationToken cancellationToken)
    {
        var order = points.ToArray();
        Shuffle(order);

        // One wait for RENDEZVOUS2 for all attempts, in place before the first INTRODUCE1 (cancelling it would close the
        // circuit). The host answers the introduction that reached it, which may be one whose INTRODUCE_ACK was lost or
        // late, so the answer is tried against the handshake of every introduction sent.
        var handshakes = new AttemptedHandshakes();
        var joined = rendezvous.Circuit.AwaitRendezvousAsync(handshakes.Finish, cancellationToken);
        try
        {
            var refused = 0;
            for (var attempt = 0; attempt < order.Length; attempt++)
            {
                var point = order[attempt];
                var relay = RelayLinkSpecifiers.Find(consensus, point.LinkSpecifiers);
                if (relay is null || !HsNtorClient.TryStart(HsNtorLabels.Hpc, point.AuthKey, point.EncryptionKey, subcredential, out var handshake, out _))
                {
                    HiddenPointClientLog.IntroductionAttemptFailed(_logger, attempt + 1, relay is null ? "not_in_consensus" : "bad_key");
                    continue;
                }

                var introduce1 = handshakes.Add(handshake, h => IntroduceRequest.Create(h, point.AuthKey, cookie, rendezvous.LastRelay));
                var status = await SendIntroduce1Async(relay, introduce1, attempt, cancellationToken).ConfigureAwait(false);
                if (status == IntroduceAckStatus.Success)
                {
                    try
                    {
                        var hop = await joined.WaitAsync(_options.RendezvousTimeout, _time, cancellationToken).ConfigureAwait(false);
                        return (hop, handshakes.ChannelBinding);
                    }
                    catch (TimeoutException ex)
                    {
                        throw new ConnectException(ConnectStep.Rendezvous, ConnectFailure.RendezvousTimeout, ex);
                    }
                    catch (CircuitException ex)
                    {
                        throw new ConnectException(ConnectStep.Rendezvous, ConnectFailure.RendezvousFailed, ex);
                    }
                }

                if (joined.IsCompleted)
                {
                    // The host answered an earlier introduction after all (its ACK was lost), or the rendezvous point
                    // gave up waiting and closed the circuit, so no later introduction could be answered there.
                    if (joined.IsCompletedSuccessfully)
                    {
                        return (joined.Result, handshakes.ChannelBinding);
                    }

                    throw new ConnectException(ConnectStep.Introduce, ConnectFailure.RendezvousFailed, joined.Exception?.InnerException);
                }

                refused += status is null ? 0 : 1;
            }

            throw new ConnectException(ConnectStep.Introduce, refused > 0 ? ConnectFailure.Offline : ConnectFailure.NoReachableIntroductionPoint);
        }
        catch when (!joined.IsCompletedSuccessfully)
        {
            // The wait ends with the circuit; the handshakes go only once nothing can call them any more.
            await rendezvous.Circuit.CloseAsync().ConfigureAwait(false);
            try
            {
                await joined.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or CircuitException)
            {
            }

            throw;
        }
        finally
        {
            if (joined.IsCompleted)
            {
                handshakes.Dispose();
            }
        }
    }

    // INTRODUCE1 over a circuit to the introduction point; its INTRODUCE_ACK status, or null when none came.
    private async Task<IntroduceAckStatus?> SendIntroduce1Async(RelayStatus introductionPoint, Introduce1Message introduce1, int attempt, CancellationToken cancellationToken)
    {
        using var deadline = new Deadline(_options.IntroductionTimeout, _time, cancellationToken);
        try
        {
            var provided = await _circuits.GetAsync(CircuitPurpose.ClientIntroduction, introductionPoint, deadline.Token).ConfigureAwait(false);
            await using (provided.Circuit.ConfigureAwait(false))
            {
                var reply = await provided.Circuit.RequestAsync(provided.Circuit.LastHop, introduce1, RelayCommandSet.Of(RelayCommand.IntroduceAck), deadline.Token)
                    .ConfigureAwait(false);
                var status = reply.TryDecode<IntroduceAckMessage>(out var ack, out _) ? ack.Status : IntroduceAckStatus.BadMessageFormat;
                if (status != IntroduceAckStatus.Success)
                {
                    HiddenPointClientLog.IntroductionAttemptFailed(_logger, attempt + 1, "nack_" + status);
                }

                return status;
            }
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            HiddenPointClientLog.IntroductionAttemptFailed(_logger, attempt + 1, "timeout");
        }
        catch (Exception ex) when (ex is CircuitBuildException or CircuitException)
        {
            HiddenPointClientLog.IntroductionAttemptFailed(_logger, attempt + 1, ex is CircuitException c ? c.Failure.ToString() : "no_circuit");
        }

        return null;
    }

    /// <summary>
    /// The hs_ntor handshakes of the introductions sent on one rendezvous circuit. <see cref="Finish"/> runs on the
    /// circuit's reactor when RENDEZVOUS2 comes, while the connect may still add one, hence the lock.
    /// </summary>
    private sealed class AttemptedHandshakes : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly List<HsNtorClient> _handshakes = [];

        /// <summary>The channel binding of the handshake that finished; set before the rendezvous wait completes.</summary>
        public byte[] ChannelBinding { get; } = new byte[CircuitKeySchedule.ChannelBindingLength];

        public Introduce1Message Add(HsNtorClient handshake, Func<HsNtorClient, Introduce1Message> create)
        {
            lock (_gate)
            {
                _handshakes.Add(handshake);
                return create(handshake);
            }
        }

        public Crypto.Cgo.CgoClientHop? Finish(ReadOnlySpan<byte> rendezvous2)
        {
            lock (_gate)
            {
                // Newest first: almost always the introduction just acknowledged.
                for (var i = _handshakes.Count - 1; i >= 0; i--)
                {
                    if (IntroduceRequest.Finish(_handshakes[i], rendezvous2, ChannelBinding) is { } hop)
                    {
                        return hop;
                    }
                }

                return null;
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                foreach (var handshake in _handshakes)
                {
                    handshake.Dispose();
                }

                _handshakes.Clear();
            }
        }
    }
}
