using System.Collections.Concurrent;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Network.Cells;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Relay.Keys;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// Accepts circuits: admits each CREATE2 (per address, or as a listed relay), hands it to the bounded queue of
/// handshake workers (never the link's read loop), answers ntor v3 with CGO there, opens the relay-side circuit with
/// the engine's per-circuit handler, and keeps the set of circuits this relay accepted until each one closes.
/// Refusals are DESTROY with a <see cref="CircuitRefusal"/>.
/// </summary>
internal sealed class CircuitAcceptor : IAsyncDisposable
{
    private readonly RelayEngine _engine;
    private readonly IAddressAdmission _admission;
    private readonly ListedRelays _listed;
    private readonly RelayEngineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CircuitHandshakeResponder _responder;
    private readonly HandshakeQueue<HandshakeJob> _queue;
    private readonly ConcurrentDictionary<RelayCircuitContext, byte> _circuits = new();
    private TaskCompletionSource? _drained;
    private volatile bool _accepting;

    public CircuitAcceptor(
        RelayEngine engine,
        IRelayKeys keys,
        IAddressAdmission admission,
        ListedRelays listed,
        RelayEngineOptions options,
        TimeProvider time,
        RelayEngineMetrics metrics,
        ILogger logger)
    {
        _engine = engine;
        _admission = admission;
        _listed = listed;
        _metrics = metrics;
        _logger = logger;
        _responder = new CircuitHandshakeResponder(keys);
        var workers = options.HandshakeWorkers == 0 ? Environment.ProcessorCount : options.HandshakeWorkers;
        _queue = new HandshakeQueue<HandshakeJob>(options.HandshakeQueueCapacity, options.HandshakeMaxWait, workers, time, RunHandshake, DropHandshake);
    }

    /// <summary>Circuits this relay accepted that are open.</summary>
    public int OpenCircuits => _circuits.Count;

    /// <summary>The circuits this relay accepted that are open (a snapshot; safe from any thread).</summary>
    public IReadOnlyCollection<RelayCircuitContext> Circuits => (IReadOnlyCollection<RelayCircuitContext>)_circuits.Keys;

    /// <summary>From now on CREATE2 is answered (until <see cref="StopAccepting"/>).</summary>
    public void StartAccepting() => _accepting = true;

    /// <summary>From now on CREATE2 is refused with DESTROY (hibernating); open circuits carry on.</summary>
    public void StopAccepting()
    {
        _accepting = false;
        Interlocked.CompareExchange(ref _drained, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
    }

    /// <summary>Completes once no accepted circuit is open.</summary>
    public Task WhenEmpty()
    {
        Interlocked.CompareExchange(ref _drained, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
        return _circuits.IsEmpty ? Task.CompletedTask : Volatile.Read(ref _drained)!.Task;
    }

    /// <summary>Drops the CREATE2s still queued (refused) and waits for the workers.</summary>
    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    /// <summary>A peer's CREATE2, on the link's read loop: admitted and queued, or refused, without waiting.</summary>
    public void OnCreateRequest(EngineLink state, Link link, CircuitId circuitId, CellBuffer create2)
    {
        if (!_accepting)
        {
            Refuse(link, circuitId, create2, DestroyReason.Hibernating, CircuitRefusal.Stopping);
            return;
        }

        var fromListedRelay = _listed.IsListedRelay(link);
        var refusal = fromListedRelay ? _admission.TryAdmitRelayCircuit() : _admission.TryAdmitCircuit(state.Address);
        if (refusal != AdmissionRefusal.None)
        {
            Refuse(link, circuitId, create2, DestroyReason.ResourceLimit, CircuitRefusals.From(refusal));
            return;
        }

        // A listed relay's link is never blamed for its circuits' violations (CircuitViolations).
        if (!_queue.TryEnqueue(new HandshakeJob(link, fromListedRelay ? null : state, circuitId, create2)))
        {
            Refuse(link, circuitId, create2, DestroyReason.ResourceLimit, CircuitRefusal.QueueFull);
        }
    }

    /// <summary>An accepted circuit closed: forgotten, and the drain completes with the last one.</summary>
    public void OnCircuitClosed(RelayCircuitContext context)
    {
        _circuits.TryRemove(context, out _);
        if (_circuits.IsEmpty)
        {
            Volatile.Read(ref _drained)?.TrySetResult();
        }
    }

    private static async void Forget(ValueTask<bool> send)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A refusal that cannot be sent changes nothing: the link is closing.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void Refuse(Link link, CircuitId circuitId, CellBuffer create2, DestroyReason reason, CircuitRefusal refusal)
    {
        link.Pool.Return(create2);
        _metrics.CircuitRefused(refusal);
        RelayEngineLog.CircuitRefused(_logger, refusal);
        Forget(link.RejectCircuitAsync(circuitId, reason));
    }

    private void RunHandshake(HandshakeJob job)
    {
        var link = job.Link;
        if (!_accepting)
        {
            Refuse(link, job.CircuitId, job.Create2, DestroyReason.Hibernating, CircuitRefusal.Stopping);
            return;
        }

        var created = link.Pool.Rent();
        Span<byte> bindingKey = stackalloc byte[CircuitKeySchedule.BindingKeyLength];
        EngineCircuitHandler handler;
        CgoRelayHop hop;
        try
        {
            // A fault in here leaves the CREATE2 with the queue, which refuses it (DropHandshake).
            var failure = _responder.TryRespond(job.Create2.Body, created.Body, bindingKey, out var relayHop);
            if (failure != HandshakeFailure.None)
            {
                link.Pool.Return(created);
                _metrics.HandshakeFailed(failure);
                Refuse(link, job.CircuitId, job.Create2, DestroyReason.Protocol, CircuitRefusals.From(failure));
                return;
            }

            hop = relayHop!;
            handler = new EngineCircuitHandler(_engine, bindingKey, link, job.Blamed);
        }
        catch (Exception ex)
        {
            // The CREATE2 goes back with the queue's refusal; the reply buffer is ours to give back, and the fault is
            // logged here because the queue only refuses.
            RelayEngineLog.Fault(_logger, ex);
            link.Pool.Return(created);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bindingKey);
        }

        link.Pool.Return(job.Create2);
        _metrics.Handshake();
        RelayCircuit? circuit = null;
        try
        {
            circuit = link.AcceptRelayCircuit(job.CircuitId, hop, created, handler);
            if (circuit is null)
            {
                handler.Abandon();
                return;
            }

            _metrics.CircuitCreated();
            var context = handler.EnsureContext(circuit);
            _circuits.TryAdd(context, 0);
            if (handler.IsClosed)
            {
                OnCircuitClosed(context);
            }
        }
#pragma warning disable CA1031 // A fault while opening one circuit refuses that circuit only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RelayEngineLog.Fault(_logger, ex);
            if (circuit is null)
            {
                // No circuit took the hop: wipe its keys here.
                hop.Dispose();
            }

            handler.Abandon();
            _metrics.CircuitRefused(CircuitRefusal.Fault);
            Forget(link.RejectCircuitAsync(job.CircuitId, DestroyReason.Internal));
        }
    }

    private void DropHandshake(HandshakeJob job, HandshakeDrop why)
    {
        var refusal = why switch
        {
            HandshakeDrop.Expired => CircuitRefusal.QueueTimeout,
            HandshakeDrop.Stopped => CircuitRefusal.Stopping,
            _ => CircuitRefusal.Fault,
        };
        Refuse(job.Link, job.CircuitId, job.Create2, why == HandshakeDrop.Fault ? DestroyReason.Internal : DestroyReason.ResourceLimit, refusal);
    }

    /// <summary>A CREATE2 waiting for a worker; <paramref name="Blamed"/> is the link its violations count against, if any.</summary>
    private readonly record struct HandshakeJob(Link Link, EngineLink? Blamed, CircuitId CircuitId, CellBuffer Create2);
}
