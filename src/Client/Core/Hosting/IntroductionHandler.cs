using System.Collections.Concurrent;
using System.Threading.Channels;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.HiddenPoints;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Hosting;

/// <summary>
/// The host's side of an introduction (rend-spec-v3 §3.4): an INTRODUCE2 from an introduction point is opened with
/// hs_ntor under that point's keys and one of the published subcredentials, checked against the point's replay cache,
/// and its rendezvous point looked up in the consensus; the host then gets a circuit to the rendezvous point, attaches
/// the end-to-end hop, sends RENDEZVOUS1 and hands the joined circuit out as a connection.
/// </summary>
/// <remarks>
/// <see cref="Handle"/> runs on the introduction point's listener, which owns its replay cache; everything that uses
/// the introduction point's keys (opening, answering hs_ntor) happens there, so the keys can be disposed as soon as the
/// point is gone. Only the circuit to the rendezvous point runs later, at most
/// <see cref="HostingOptions.MaxConcurrentRendezvous"/> at a time.
/// </remarks>
internal sealed class IntroductionHandler : IDisposable
{
    private readonly ICircuitProvider _circuits;
    private readonly IConsensusSource _consensus;
    private readonly HostingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChannelWriter<IncomingHiddenPointConnection> _connections;
    private readonly Func<IReadOnlyList<Subcredential>> _subcredentials;
    private readonly CancellationToken _stopping;
    private readonly SemaphoreSlim _rendezvousSlots;
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private long _accepted;
    private long _replayed;
    private long _refused;
    private long _joined;

    public IntroductionHandler(
        ICircuitProvider circuits,
        IConsensusSource consensus,
        HostingOptions options,
        TimeProvider time,
        ILogger logger,
        ChannelWriter<IncomingHiddenPointConnection> connections,
        Func<IReadOnlyList<Subcredential>> subcredentials,
        CancellationToken stopping)
    {
        _circuits = circuits;
        _consensus = consensus;
        _options = options;
        _time = time;
        _logger = logger;
        _connections = connections;
        _subcredentials = subcredentials;
        _stopping = stopping;
        _rendezvousSlots = new SemaphoreSlim(options.MaxConcurrentRendezvous, options.MaxConcurrentRendezvous);
    }

    /// <summary>Introductions opened, new, and answered with a rendezvous attempt.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Introductions dropped as replays.</summary>
    public long Replayed => Interlocked.Read(ref _replayed);

    /// <summary>Introductions refused otherwise (malformed, wrong key, bad MAC, unknown rendezvous point).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Rendezvous completed: RENDEZVOUS1 sent and the connection handed out.</summary>
    public long Joined => Interlocked.Read(ref _joined);

    /// <summary>Handles one INTRODUCE2 that <paramref name="point"/> delivered. Never throws on what the client sent.</summary>
    public void Handle(HostIntroductionPoint point, RelayMessageReceived message)
    {
        if (!message.TryDecode<Introduce2Message>(out var introduce, out _))
        {
            Refuse("malformed");
            return;
        }

        if (!introduce.AuthKey.SequenceEqual(point.AuthKey.Key.Bytes))
        {
            Refuse("wrong_auth_key");
            return;
        }

        // H is everything before the encrypted section X | ENCRYPTED | MAC, exactly as the client MACed it.
        var data = message.Data.Span;
        var sectionLength = HiddenPointWire.X25519KeyLength + introduce.EncryptedData.Length + HiddenPointWire.MacLength;
        var header = data[..^sectionLength];
        var section = data[^sectionLength..];
        HsNtorIntroduction? opened = null;
        foreach (var subcredential in _subcredentials())
        {
            var service = new HsNtorService(HsNtorLabels.Hpc, point.EncryptionKey, point.AuthKey, subcredential);
            if (service.TryOpenIntroduce(header, section, out opened, out _))
            {
                break;
            }
        }

        if (opened is null)
        {
            Refuse("bad_mac");
            return;
        }

        using (opened)
        {
            if (!point.ReplayCache.TryAdd(section))
            {
                Interlocked.Increment(ref _replayed);
                HiddenPointClientLog.IntroductionReplayed(_logger);
                return;
            }

            if (!IntroducePlaintext.TryDecode(opened.Plaintext, out var plaintext, out _))
            {
                Refuse("malformed_plaintext");
                return;
            }

            if (!_consensus.TryGetUsable(out var consensus, out _) || RelayLinkSpecifiers.Find(consensus, plaintext.RendezvousPoint) is not { } rendezvousPoint)
            {
                Refuse("unknown_rendezvous_point");
                return;
            }

            if (!rendezvousPoint.CircuitHandshakeKey.Key.Bytes.SequenceEqual(plaintext.OnionKey))
            {
                Refuse("rendezvous_key_mismatch");
                return;
            }

            var handshakeInfo = new byte[HsNtorIntroduction.HandshakeInfoLength];
            CgoRelayHop endToEnd;
            var channelBinding = new byte[CircuitKeySchedule.ChannelBindingLength];
            using (var keyStream = opened.Respond(handshakeInfo))
            {
                endToEnd = CircuitKeySchedule.ReadRelayHop(keyStream);
                CircuitKeySchedule.ReadChannelBinding(keyStream, channelBinding);
            }

            Interlocked.Increment(ref _accepted);
            var task = RendezvousAsync(rendezvousPoint, plaintext.Cookie.ToArray(), handshakeInfo, endToEnd, channelBinding);
            _inFlight.TryAdd(task, 0);
            _ = task.ContinueWith(static (done, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(done, out _), _inFlight, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Waits for the rendezvous attempts still running (they end soon once the host stops).</summary>
    public Task DrainAsync() => Task.WhenAll(_inFlight.Keys);

    /// <summary>Call after <see cref="DrainAsync"/>.</summary>
    public void Dispose() => _rendezvousSlots.Dispose();

    private void Refuse(string reason)
    {
        Interlocked.Increment(ref _refused);
        HiddenPointClientLog.IntroductionRefused(_logger, reason);
    }

    private async Task RendezvousAsync(RelayStatus rendezvousPoint, byte[] cookie, byte[] handshakeInfo, CgoRelayHop endToEnd, byte[] channelBinding)
    {
        CgoRelayHop? hop = endToEnd;
        ProvidedCircuit? provided = null;
        var slotTaken = false;
        try
        {
            using var deadline = new Deadline(_options.RendezvousTimeout, _time, _stopping);
            await _rendezvousSlots.WaitAsync(deadline.Token).ConfigureAwait(false);
            slotTaken = true;
            provided = await _circuits.GetAsync(CircuitPurpose.HostRendezvous, rendezvousPoint, deadline.Token).ConfigureAwait(false);
            var circuit = provided.Circuit;
            var rendezvousHop = circuit.LastRelayHop;

            // The hop is in place before RENDEZVOUS1 goes, so the client's first cell through the join finds it.
            hop = null;
            var endToEndHop = circuit.AttachEndToEndHop(endToEnd);
            var streams = circuit.AcceptStreams(endToEndHop, _options.StreamBacklog);
            var rendezvous1 = new Rendezvous1Message(
                cookie, handshakeInfo.AsSpan(0, HiddenPointWire.X25519KeyLength), handshakeInfo.AsSpan(HiddenPointWire.X25519KeyLength));
            await circuit.SendAsync(rendezvousHop, rendezvous1, default, deadline.Token).ConfigureAwait(false);
            if (!_connections.TryWrite(new IncomingHiddenPointConnection(circuit, endToEndHop, channelBinding, streams)))
            {
                HiddenPointClientLog.HostRendezvousFailed(_logger, "connection_backlog_full");
                return;
            }

            provided = null;
            Interlocked.Increment(ref _joined);
        }
        catch (OperationCanceledException)
        {
            HiddenPointClientLog.HostRendezvousFailed(_logger, _stopping.IsCancellationRequested ? "stopping" : "timeout");
        }
        catch (CircuitBuildException)
        {
            HiddenPointClientLog.HostRendezvousFailed(_logger, "no_circuit");
        }
        catch (CircuitException ex)
        {
            HiddenPointClientLog.HostRendezvousFailed(_logger, ex.Failure.ToString());
        }
#pragma warning disable CA1031 // A failed rendezvous ends that introduction, never the host.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HiddenPointClientLog.HostingFault(_logger, ex);
        }
        finally
        {
            hop?.Dispose();
            if (provided is not null)
            {
                await provided.Circuit.DisposeAsync().ConfigureAwait(false);
            }

            if (slotTaken)
            {
                _rendezvousSlots.Release();
            }
        }
    }
}
