using System.Buffers.Binary;
using System.Security.Cryptography;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.HiddenPoints;

/// <summary>
/// What the directory streams store hidden-point descriptors in and fetch them from: <see cref="HsDirStore"/> on a
/// relay (through <see cref="HsDirStoreDescriptors"/>); the seam lets the streams be tested on their own.
/// </summary>
public interface IDescriptorStore
{
    /// <summary>Stores <paramref name="descriptor"/> under <paramref name="blindedKey"/> after every check.</summary>
    HsDirStoreResult Store(ReadOnlySpan<byte> blindedKey, ReadOnlySpan<byte> descriptor);

    /// <summary>The stored descriptor for <paramref name="blindedKey"/>, if any.</summary>
    bool TryFetch(ReadOnlySpan<byte> blindedKey, out ReadOnlyMemory<byte> descriptor);
}

/// <summary>The relay's <see cref="HsDirStore"/> as an <see cref="IDescriptorStore"/>.</summary>
/// <param name="store">The store.</param>
public sealed class HsDirStoreDescriptors(HsDirStore store) : IDescriptorStore
{
    private readonly HsDirStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc/>
    public HsDirStoreResult Store(ReadOnlySpan<byte> blindedKey, ReadOnlySpan<byte> descriptor) => _store.Store(blindedKey, descriptor);

    /// <inheritdoc/>
    public bool TryFetch(ReadOnlySpan<byte> blindedKey, out ReadOnlyMemory<byte> descriptor) => _store.TryFetch(blindedKey, out descriptor);
}

/// <summary>
/// Directory streams (protocol.md §6): DESCRIPTOR_STORE and DESCRIPTOR_FETCH for the HSDir, DIRECTORY_REQUEST for the
/// directory cache. Each stream is a small state machine in a per-circuit table of at most
/// <see cref="HiddenPointRoleOptions.MaxDirectoryStreamsPerCircuit"/> streams. Only a circuit that is neither extended,
/// joined nor used by another role may open them; elsewhere a request is answered END(NotDirectory).
/// </summary>
/// <remarks>
/// Uploads are limited before anything is set aside for them: a token bucket per circuit
/// (<see cref="HiddenPointRoleOptions.DescriptorUploadRatePerCircuit"/>) and one for the relay
/// (<see cref="HiddenPointRoleOptions.DescriptorUploadRate"/>); the bytes of uploads still arriving count against
/// <see cref="HiddenPointRoleOptions.MaxPendingUploadBytes"/> and the relay's <see cref="MemoryQuota"/>, and a new upload
/// is refused (Unavailable) while either is spent. Answers are built and sent off the reactor, one task per stream:
/// the descriptor checks and the consensus digest take time, and a long body goes out as DATA cells that each wait on
/// <see cref="RelayCircuit.SendAsync"/>, so the circuit window and its send slots pace the stream. The runtime keeps circuit windows only (no stream windows yet).
/// A relay-descriptor request is answered NotFound: relays do not cache relay descriptors yet.
/// </remarks>
public sealed class DirectoryStreamRole : IRelayMessageRole
{
    private readonly IDescriptorStore _descriptors;
    private readonly IConsensusSource _consensus;
    private readonly HiddenPointRoleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HiddenPointMetrics _metrics;
    private readonly MemoryQuota? _quota;
    private readonly Lock _uploadGate = new();
    private readonly TokenBucket _uploads;
    private DigestEntry? _digest;
    private long _pendingUploadBytes;

    /// <summary>Creates the role over the relay's descriptor store and consensus.</summary>
    /// <param name="store">The HSDir's store.</param>
    /// <param name="consensus">The consensus a directory request is answered with.</param>
    /// <param name="options">The limits.</param>
    /// <param name="timeProvider">The clock of the upload timeout and the upload rates.</param>
    /// <param name="logger">Where refusals go (Debug).</param>
    /// <param name="meterFactory">Where the role's instruments are made.</param>
    /// <param name="memoryQuota">The relay's memory limit, which uploads still arriving count against; none when absent.</param>
    public DirectoryStreamRole(
        HsDirStore store,
        IConsensusSource consensus,
        IOptions<HiddenPointRoleOptions> options,
        TimeProvider timeProvider,
        ILogger<DirectoryStreamRole> logger,
        System.Diagnostics.Metrics.IMeterFactory meterFactory,
        MemoryQuota? memoryQuota = null)
        : this(new HsDirStoreDescriptors(store), consensus, options, timeProvider, logger, meterFactory, memoryQuota)
    {
    }

    /// <summary>Creates the role over any descriptor store.</summary>
    internal DirectoryStreamRole(
        IDescriptorStore descriptors,
        IConsensusSource consensus,
        IOptions<HiddenPointRoleOptions> options,
        TimeProvider timeProvider,
        ILogger<DirectoryStreamRole> logger,
        System.Diagnostics.Metrics.IMeterFactory meterFactory,
        MemoryQuota? memoryQuota = null)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        ArgumentNullException.ThrowIfNull(consensus);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _descriptors = descriptors;
        _consensus = consensus;
        _options = HiddenPointRoleOptionsValidator.Checked(options.Value);
        _time = timeProvider;
        _logger = logger;
        _metrics = new HiddenPointMetrics(meterFactory);
        _quota = memoryQuota;
        _uploads = new TokenBucket(timeProvider, _options.DescriptorUploadRate, _options.DescriptorUploadBurst);
    }

    /// <summary>Bytes held now by descriptor uploads still arriving, all circuits together.</summary>
    public long PendingUploadBytes => Interlocked.Read(ref _pendingUploadBytes);

    private enum StoreState
    {
        Receiving = 0,
        Storing,
        Failed,
    }

    /// <inheritdoc/>
    public bool OnMessage(RelayCircuitContext circuit, RelayCellView cell)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var id = cell.StreamId.Value;
        var table = circuit.RoleState as StreamTable;
        var usable = circuit.Purpose == RelayCircuitPurpose.None && (circuit.RoleState is null || table is not null)
            && !circuit.Circuit.IsExtended && !circuit.Circuit.IsJoined;
        switch (cell.Command)
        {
            case RelayCommand.DescriptorStore:
            case RelayCommand.DescriptorFetch:
            case RelayCommand.DirectoryRequest:
                if (!usable)
                {
                    HiddenPointLog.DirectoryStreamRefused(_logger, "not_a_directory_circuit");
                    RoleSender.Send(circuit.Circuit, new EndMessage(EndReason.NotDirectory), cell.StreamId);
                    return true;
                }

                if (table is null)
                {
                    table = new StreamTable();
                    circuit.RoleState = table;
                }

                return Open(circuit.Circuit, table, id, cell.Command, cell.Data);

            case RelayCommand.Data:
                // DATA for this relay on a circuit without directory streams breaks the protocol; DATA for a stream
                // that has ended here is late, and dropped.
                if (!usable || table is null || cell.Data.IsEmpty)
                {
                    return false;
                }

                if (table.Streams.TryGetValue(id, out var stream) && stream is StoreStream store)
                {
                    Receive(circuit.Circuit, store, cell.Data);
                }

                return true;

            case RelayCommand.End:
                if (table is not null && table.Streams.Remove(id, out var ended))
                {
                    ended.Stop();
                }

                return true;

            default:
                return false;
        }
    }

    /// <inheritdoc/>
    public void OnCircuitClosed(RelayCircuitContext circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (circuit.RoleState is StreamTable table)
        {
            foreach (var stream in table.Streams.Values)
            {
                stream.Stop();
            }

            table.Streams.Clear();
        }
    }

    private static DirectoryStatus StatusOf(HsDirStoreResult result) => result switch
    {
        HsDirStoreResult.Stored => DirectoryStatus.Ok,
        HsDirStoreResult.Malformed => DirectoryStatus.BadRequest,
        HsDirStoreResult.TooLarge => DirectoryStatus.TooLarge,
        HsDirStoreResult.Full or HsDirStoreResult.NoConsensus => DirectoryStatus.Unavailable,
        HsDirStoreResult.NotResponsible => DirectoryStatus.NotResponsible,
        _ => DirectoryStatus.Rejected,
    };

    private bool Open(RelayCircuit circuit, StreamTable table, ushort id, RelayCommand command, ReadOnlySpan<byte> data)
    {
        if (table.Streams.TryGetValue(id, out var existing))
        {
            if (!existing.Finished)
            {
                // A second request on a live stream: the client has lost track of its streams.
                return false;
            }

            table.Streams.Remove(id);
        }

        table.RemoveFinished();
        var streamId = new StreamId(id);
        if (table.Streams.Count >= _options.MaxDirectoryStreamsPerCircuit)
        {
            HiddenPointLog.DirectoryStreamRefused(_logger, "too_many_streams");
            RoleSender.Send(circuit, new EndMessage(EndReason.ResourceLimit), streamId);
            return true;
        }

        // Opening and ending streams one after another never holds many at once, so the count above does not bound
        // the work; the circuit's open rate does (FL-05).
        table.Opens ??= new TokenBucket(_time, _options.DirectoryStreamOpenRatePerCircuit, _options.DirectoryStreamOpenBurstPerCircuit);
        if (!table.Opens.TryTake())
        {
            HiddenPointLog.DirectoryStreamRefused(_logger, "stream_rate");
            RoleSender.Send(circuit, new EndMessage(EndReason.ResourceLimit), streamId);
            return true;
        }

        switch (command)
        {
            case RelayCommand.DescriptorStore:
                OpenStore(circuit, table, streamId, data);
                break;
            case RelayCommand.DescriptorFetch:
            {
                var stream = new AnswerStream();
                table.Streams.Add(id, stream);
                var key = RelayMessage.TryDecode(command, data, out var decoded, out _) && decoded is DescriptorFetchMessage fetch
                    ? fetch.BlindedKey.ToArray()
                    : null;
                Answer(circuit, stream, streamId, "descriptor_fetch", () => Fetch(key));
                break;
            }

            default:
            {
                var stream = new AnswerStream();
                table.Streams.Add(id, stream);
                var request = RelayMessage.TryDecode(command, data, out var decoded, out _) ? decoded as DirectoryRequestMessage : null;
                var resource = request?.Resource switch
                {
                    DirectoryResource.Consensus => "consensus",
                    DirectoryResource.RelayDescriptor => "relay_descriptor",
                    _ => "unknown",
                };
                Answer(circuit, stream, streamId, resource, () => Request(request));
                break;
            }
        }

        return true;
    }

    private void OpenStore(RelayCircuit circuit, StreamTable table, StreamId streamId, ReadOnlySpan<byte> data)
    {
        // The declared length is looked at before the message is decoded, so an oversized one is answered TooLarge
        // (not just "malformed") and nothing is set aside for it.
        var tooLarge = data.Length == DirectoryLimits.BlindedKeyLength + 4
            && BinaryPrimitives.ReadUInt32BigEndian(data[DirectoryLimits.BlindedKeyLength..]) > DirectoryLimits.MaxDescriptorLength;
        if (tooLarge || !RelayMessage.TryDecode(RelayCommand.DescriptorStore, data, out var decoded, out _)
            || decoded is not DescriptorStoreMessage message)
        {
            var status = tooLarge ? DirectoryStatus.TooLarge : DirectoryStatus.BadRequest;
            var refused = new AnswerStream();
            table.Streams.Add(streamId.Value, refused);
            Answer(circuit, refused, streamId, "descriptor_store", () => (status, default));
            return;
        }

        var refusal = AdmitUpload(table, StoreStream.InitialCapacityFor(message.DescriptorLength));
        if (refusal is not null)
        {
            HiddenPointLog.DirectoryStreamRefused(_logger, refusal);
            var refused = new AnswerStream();
            table.Streams.Add(streamId.Value, refused);
            Answer(circuit, refused, streamId, "descriptor_store", static () => (DirectoryStatus.Unavailable, default));
            return;
        }

        var stream = new StoreStream(this, message.BlindedKey.ToArray(), message.DescriptorLength) { Id = streamId };
        table.Streams.Add(streamId.Value, stream);
        stream.Timer = _time.CreateTimer(OnUploadTimeout, (circuit, stream, streamId), _options.DescriptorUploadTimeout, Timeout.InfiniteTimeSpan);
    }

    // On the circuit's reactor. The circuit's bucket first, so that one circuit cannot drain the relay's; then the
    // bytes of the upload's first buffer. Null when admitted (the buffer is then claimed), else the refusal's reason.
    private string? AdmitUpload(StreamTable table, int initialBytes)
    {
        table.Uploads ??= new TokenBucket(_time, _options.DescriptorUploadRatePerCircuit, _options.DescriptorUploadBurstPerCircuit);
        if (!table.Uploads.TryTake())
        {
            return "rate_limited_circuit";
        }

        lock (_uploadGate)
        {
            if (!_uploads.TryTake())
            {
                return "rate_limited";
            }
        }

        return TryClaimUpload(initialBytes) ? null : "memory_limit";
    }

    // Any thread. Refused while the uploads in flight would pass their own bound or the relay is over its memory limit.
    private bool TryClaimUpload(long bytes)
    {
        if (Interlocked.Add(ref _pendingUploadBytes, bytes) > _options.MaxPendingUploadBytes)
        {
            Interlocked.Add(ref _pendingUploadBytes, -bytes);
            return false;
        }

        if (_quota is not null && !_quota.TryClaimBuffer(bytes))
        {
            Interlocked.Add(ref _pendingUploadBytes, -bytes);
            return false;
        }

        return true;
    }

    private void ReleaseUpload(long bytes)
    {
        Interlocked.Add(ref _pendingUploadBytes, -bytes);
        _quota?.ReleaseBuffer(bytes);
    }

    private void Receive(RelayCircuit circuit, StoreStream stream, ReadOnlySpan<byte> payload)
    {
        if (stream.State != StoreState.Receiving)
        {
            return;
        }

        var streamId = stream.Id;
        if (payload.Length > stream.Declared - stream.Received)
        {
            // More than declared: the upload is refused, not truncated.
            Fail(circuit, stream, DirectoryStatus.BadRequest);
            return;
        }

        if (!stream.TryEnsureRoom(payload.Length))
        {
            // Growing the buffer would pass the bound of uploads in flight or the relay's memory limit.
            HiddenPointLog.DirectoryStreamRefused(_logger, "memory_limit");
            Fail(circuit, stream, DirectoryStatus.Unavailable);
            return;
        }

        payload.CopyTo(stream.Buffer.AsSpan(stream.Received));
        stream.Received += payload.Length;
        if (stream.Received == stream.Declared && stream.TryMove(StoreState.Receiving, StoreState.Storing))
        {
            stream.Timer?.Dispose();
            Answer(circuit, stream, streamId, "descriptor_store", () =>
            {
                try
                {
                    return (StatusOf(_descriptors.Store(stream.BlindedKey, stream.Buffer)), default);
                }
                finally
                {
                    // The store copies what it keeps: the upload's buffer is done with.
                    stream.ReleaseClaim();
                }
            });
        }
    }

    private void Fail(RelayCircuit circuit, StoreStream stream, DirectoryStatus status)
    {
        if (stream.TryMove(StoreState.Receiving, StoreState.Failed))
        {
            stream.Timer?.Dispose();
            stream.ReleaseClaim();
            Answer(circuit, stream, stream.Id, "descriptor_store", () => (status, default));
        }
    }

    private void OnUploadTimeout(object? state)
    {
        // A timer callback's exception would end the process: it is logged as a bug instead.
        try
        {
            var (circuit, stream, streamId) = ((RelayCircuit, StoreStream, StreamId))state!;
            EndStalledUpload(circuit, stream, streamId);
        }
#pragma warning disable CA1031 // Nothing may escape a timer thread.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HiddenPointLog.RoleTimerFailed(_logger, ex);
        }
    }

    private void EndStalledUpload(RelayCircuit circuit, StoreStream stream, StreamId streamId)
    {
        if (!stream.TryMove(StoreState.Receiving, StoreState.Failed))
        {
            return;
        }

        stream.ReleaseClaim();
        HiddenPointLog.DirectoryStreamRefused(_logger, "upload_timeout");
        RoleSender.Send(circuit, new EndMessage(EndReason.Timeout), streamId);
        stream.Finished = true;
    }

    private (DirectoryStatus Status, ReadOnlyMemory<byte> Body) Fetch(byte[]? blindedKey)
    {
        if (blindedKey is null)
        {
            return (DirectoryStatus.BadRequest, default);
        }

        return _descriptors.TryFetch(blindedKey, out var descriptor) ? (DirectoryStatus.Ok, descriptor) : (DirectoryStatus.NotFound, default);
    }

    private (DirectoryStatus Status, ReadOnlyMemory<byte> Body) Request(DirectoryRequestMessage? request)
    {
        if (request is null)
        {
            return (DirectoryStatus.BadRequest, default);
        }

        if (request.Resource == DirectoryResource.RelayDescriptor)
        {
            return request.Key.Length == 32 ? (DirectoryStatus.NotFound, default) : (DirectoryStatus.BadRequest, default);
        }

        if (request.Resource != DirectoryResource.Consensus || (request.Key.Length != 0 && request.Key.Length != 32))
        {
            return (DirectoryStatus.BadRequest, default);
        }

        var document = _consensus.LatestDocument;
        if (document.IsEmpty || document.Length > DirectoryLimits.MaxResponseLength)
        {
            return (DirectoryStatus.Unavailable, default);
        }

        if (request.Key.Length == 32 && CryptographicOperations.FixedTimeEquals(DigestOf(document), request.Key))
        {
            return (DirectoryStatus.NotModified, default);
        }

        return (DirectoryStatus.Ok, document);
    }

    // The digest of the consensus held, computed once per document rather than per request.
    private byte[] DigestOf(ReadOnlyMemory<byte> document)
    {
        var cached = Volatile.Read(ref _digest);
        if (cached is not null && cached.Document.Equals(document))
        {
            return cached.Digest;
        }

        var digest = SHA3_256.HashData(document.Span);
        Volatile.Write(ref _digest, new DigestEntry(document, digest));
        return digest;
    }

    private void Answer(RelayCircuit circuit, DirectoryStream stream, StreamId streamId, string resource, Func<(DirectoryStatus Status, ReadOnlyMemory<byte> Body)> work)
    {
        var cancellation = stream.Cancellation;
        _ = Task.Run(() => AnswerAsync(circuit, stream, streamId, resource, work, cancellation.Token), CancellationToken.None);
    }

    private async Task AnswerAsync(
        RelayCircuit circuit,
        DirectoryStream stream,
        StreamId streamId,
        string resource,
        Func<(DirectoryStatus Status, ReadOnlyMemory<byte> Body)> work,
        CancellationToken cancellationToken)
    {
        try
        {
            var (status, body) = work();
            _metrics.DirectoryRequest(resource, status);
            HiddenPointLog.DirectoryAnswered(_logger, resource, status);
            var response = new DirectoryResponseMessage(status, status == DirectoryStatus.Ok ? body.Length : 0);
            if (!await SendAsync(circuit, response, streamId, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            for (var offset = 0; offset < body.Length && status == DirectoryStatus.Ok; offset += RelayCell.MaxDataWithStream)
            {
                var cell = circuit.Pool.Rent();
                var chunk = body.Span.Slice(offset, Math.Min(RelayCell.MaxDataWithStream, body.Length - offset));
                RelayCell.Encode(cell.Body, RelayCommand.Data, streamId, chunk, RandomPaddingSource.Instance);

                // Waits while the circuit's send slots are taken (the window is shut): the stream goes at the
                // circuit's pace and never floods its queue.
                if (await circuit.SendAsync(cell, cancellationToken).ConfigureAwait(false) != CircuitSendResult.Queued)
                {
                    return;
                }
            }

            await SendAsync(circuit, new EndMessage(EndReason.Done), streamId, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client ended the stream, or the circuit closed.
        }
#pragma warning disable CA1031 // A failed answer ends its stream, never the relay.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HiddenPointLog.DirectoryStreamFailed(_logger, ex);
            RoleSender.Send(circuit, new EndMessage(EndReason.Internal), streamId);
        }
        finally
        {
            stream.Finished = true;
        }
    }

    private static async ValueTask<bool> SendAsync(RelayCircuit circuit, RelayMessage message, StreamId streamId, CancellationToken cancellationToken)
    {
        var cell = circuit.Pool.Rent();
        RelayCell.Encode(cell.Body, message, streamId, RandomPaddingSource.Instance);
        return await circuit.SendAsync(cell, cancellationToken).ConfigureAwait(false) == CircuitSendResult.Queued;
    }

    private sealed record DigestEntry(ReadOnlyMemory<byte> Document, byte[] Digest);

    /// <summary>A circuit's directory streams, stream-open and upload buckets; touched on the circuit's reactor only.</summary>
    private sealed class StreamTable
    {
        public Dictionary<ushort, DirectoryStream> Streams { get; } = [];

        /// <summary>The circuit's upload token bucket, made with its first upload.</summary>
        public TokenBucket? Uploads { get; set; }

        /// <summary>The circuit's stream-open token bucket, made with its first stream.</summary>
        public TokenBucket? Opens { get; set; }

        public void RemoveFinished()
        {
            List<ushort>? done = null;
            foreach (var (id, stream) in Streams)
            {
                if (stream.Finished)
                {
                    (done ??= []).Add(id);
                }
            }

            if (done is not null)
            {
                foreach (var id in done)
                {
                    Streams.Remove(id);
                }
            }
        }
    }

    private abstract class DirectoryStream
    {
        private volatile bool _finished;

        public CancellationTokenSource Cancellation { get; } = new();

        /// <summary>Set (from the answering task or a timer) once nothing more goes out on the stream.</summary>
        public bool Finished
        {
            get => _finished;
            set => _finished = value;
        }

        public virtual void Stop()
        {
            Finished = true;
            Cancellation.Cancel();
        }
    }

    private sealed class AnswerStream : DirectoryStream;

    private sealed class StoreStream(DirectoryStreamRole role, byte[] blindedKey, int declared) : DirectoryStream
    {
        /// <summary>What a store buffer starts at: an announced length costs nothing until its bytes arrive.</summary>
        private const int InitialCapacity = 2048;

        private int _state;
        private long _claimed = InitialCapacityFor(declared);
        private int _released;

        public byte[] BlindedKey { get; } = blindedKey;

        /// <summary>The declared descriptor length (at most 50,000 bytes).</summary>
        public int Declared { get; } = declared;

        /// <summary>
        /// Grows with the DATA received, never past <see cref="Declared"/>: a peer that announces uploads and sends
        /// nothing holds 2 KB per stream, not 50 KB. Not pooled, so a timer racing DATA is harmless. Its length is what
        /// the stream has claimed from the role's bound and the memory limit (the first 2 KB when it was admitted).
        /// </summary>
        public byte[] Buffer { get; private set; } = new byte[InitialCapacityFor(declared)];

        public int Received { get; set; }

        public StreamId Id { get; set; }

        public ITimer? Timer { get; set; }

        public StoreState State => (StoreState)Volatile.Read(ref _state);

        public static int InitialCapacityFor(int declared) => Math.Min(declared, InitialCapacity);

        /// <summary>
        /// Makes room for <paramref name="count"/> more bytes (the caller checked they fit the declared length), claiming
        /// the growth first; false, with nothing grown, when the claim is refused. On the circuit's reactor.
        /// </summary>
        public bool TryEnsureRoom(int count)
        {
            var needed = Received + count;
            if (needed <= Buffer.Length)
            {
                return true;
            }

            var size = Math.Min(Declared, Math.Max(needed, 2 * Buffer.Length));
            var growth = size - Buffer.Length;
            if (!role.TryClaimUpload(growth))
            {
                return false;
            }

            Interlocked.Add(ref _claimed, growth);
            if (Volatile.Read(ref _released) != 0)
            {
                // Released meanwhile (a timer ended the upload): that release did not see this claim.
                ReleaseClaim();
            }

            var buffer = Buffer;
            Array.Resize(ref buffer, size);
            Buffer = buffer;
            return true;
        }

        /// <summary>Gives back everything the stream claimed; any thread, any number of times.</summary>
        public void ReleaseClaim()
        {
            Volatile.Write(ref _released, 1);
            var claimed = Interlocked.Exchange(ref _claimed, 0);
            if (claimed > 0)
            {
                role.ReleaseUpload(claimed);
            }
        }

        public bool TryMove(StoreState from, StoreState to) =>
            Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;

        public override void Stop()
        {
            // While the store reads the buffer (Storing) its task gives the claim back when it is done.
            if (TryMove(StoreState.Receiving, StoreState.Failed) || State == StoreState.Failed)
            {
                ReleaseClaim();
            }

            Timer?.Dispose();
            base.Stop();
        }
    }
}
