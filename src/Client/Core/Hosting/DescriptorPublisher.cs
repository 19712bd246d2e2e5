using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.HiddenPoints;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.HiddenPoints;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Protocol.Relay;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.Client.Hosting;

/// <summary>
/// Builds the host's two descriptors (for the periods of the consensus' previous and current shared random values) and
/// uploads each to the HSDirs its period's ring names for its blinded key, each over its own circuit. Keeps, per
/// period, the descriptor-signing key (certified by that period's blinded key inside the descriptor) and the revision
/// counters, and gives the introduction handler the subcredentials clients may have used. One upload round at a time.
/// An upload that got no answer (no circuit, a failed stream, a timeout) is kept with its document, so that
/// <see cref="RetryMissedAsync"/> can upload it again to that HSDir alone: a client asks only some of the responsible
/// HSDirs, and a round that reached most of them must not leave the rest empty until the next republication.
/// </summary>
internal sealed class DescriptorPublisher : IDisposable
{
    /// <summary>Tor gives the descriptor-signing and introduction-point certificates 54 hours; so does HiddenPoint.</summary>
    public static readonly TimeSpan CertificateLifetime = TimeSpan.FromHours(54);

    private readonly HiddenPointIdentitySecretKey _identity;
    private readonly ICircuitProvider _circuits;
    private readonly HsDirViewSource _views;
    private readonly HostingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _oneRound = new(1, 1);
    private readonly DescriptorRevisionCounter _revisions = new();
    private readonly Dictionary<TimePeriod, HsDescriptorSigningKey> _signingKeys = [];
    private Subcredential[] _subcredentials = [];
    private IReadOnlyList<PendingUpload> _missed = [];

    public DescriptorPublisher(
        HiddenPointIdentitySecretKey identity, ICircuitProvider circuits, HsDirViewSource views, HostingOptions options, TimeProvider time, ILogger logger)
    {
        _identity = identity;
        _circuits = circuits;
        _views = views;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// N_hs_subcred of every period a descriptor was published for in the last two rounds, newest first: a client's
    /// INTRODUCE1 is made with one of them.
    /// </summary>
    public IReadOnlyList<Subcredential> Subcredentials => Volatile.Read(ref _subcredentials);

    /// <summary>
    /// Whether an upload of the last round (or of a retry since) got no answer, or an answer that may change (the HSDir
    /// not yet able to decide, or deciding on another consensus), and waits to be tried again.
    /// </summary>
    public bool HasMissedUploads => Volatile.Read(ref _missed).Count > 0;

    /// <summary>Builds both descriptors listing <paramref name="points"/> and uploads them; every HSDir's answer.</summary>
    public async Task<IReadOnlyList<HsDirUploadResult>> PublishAsync(IReadOnlyList<HsIntroductionPoint> points, CancellationToken cancellationToken)
    {
        await _oneRound.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_views.TryGetView(out var view, out var reason))
            {
                HiddenPointClientLog.PublishWithoutConsensus(_logger, reason.ToString());
                return [];
            }

            var now = _time.GetUtcNow();
            var uploads = new List<(PendingUpload Pending, Task<HsDirUploadResult> Upload)>();
            var subcredentials = new List<Subcredential>();
            foreach (var ring in view.UploadRings)
            {
                var (blindedKey, subcredential, document) = Build(ring.Period, now, points);
                subcredentials.Add(subcredential);
                foreach (var hsDir in ring.StoreTargets(blindedKey))
                {
                    var pending = new PendingUpload(ring.Period.Number, hsDir.Id, blindedKey, document);
                    uploads.Add((pending, UploadAsync(pending, hsDir, cancellationToken)));
                }
            }

            // In place before any HSDir holds the descriptors, so that no client can introduce itself with a
            // subcredential the host does not try yet.
            Volatile.Write(ref _subcredentials, [.. subcredentials.Concat(Volatile.Read(ref _subcredentials)).Distinct().Take(4)]);
            ForgetSigningKeys(view.PreviousValuePeriod);

            var results = await Task.WhenAll(uploads.Select(u => u.Upload)).ConfigureAwait(false);
            Volatile.Write(ref _missed, [.. uploads.Where((u, i) => IsWorthRetrying(results[i])).Select(u => u.Pending)]);
            LogFailures(results);
            foreach (var period in uploads.Select(u => u.Pending.Period).Distinct())
            {
                var ofPeriod = results.Where(r => r.Period == period).ToList();
                var stored = ofPeriod.Count(r => r.Outcome == HsDirUploadOutcome.Stored);
                if (stored > 0)
                {
                    HiddenPointClientLog.DescriptorUploaded(_logger, period, stored, ofPeriod.Count);
                }
                else
                {
                    HiddenPointClientLog.DescriptorNotStored(_logger, period, ofPeriod.Count);
                }
            }

            return results;
        }
        finally
        {
            _oneRound.Release();
        }
    }

    /// <summary>
    /// Uploads the documents of the missed uploads again, each to its HSDir alone, if the current consensus still names
    /// that HSDir for the document's blinded key; every answer. What again gets no answer (or one that may change) stays
    /// missed; what the HSDirs refuse or the ring no longer names is dropped (the next full round covers it).
    /// </summary>
    public async Task<IReadOnlyList<HsDirUploadResult>> RetryMissedAsync(CancellationToken cancellationToken)
    {
        await _oneRound.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var missed = Volatile.Read(ref _missed);
            if (missed.Count == 0 || !_views.TryGetView(out var view, out _))
            {
                return [];
            }

            var uploads = new List<(PendingUpload Pending, Task<HsDirUploadResult> Upload)>();
            foreach (var pending in missed)
            {
                var ring = view.UploadRings.FirstOrDefault(r => r.Period.Number == pending.Period);
                var hsDir = ring?.StoreTargets(pending.BlindedKey).FirstOrDefault(r => r.Id == pending.HsDir);
                if (hsDir is not null)
                {
                    uploads.Add((pending, UploadAsync(pending, hsDir, cancellationToken)));
                }
            }

            var results = await Task.WhenAll(uploads.Select(u => u.Upload)).ConfigureAwait(false);
            Volatile.Write(ref _missed, [.. uploads.Where((u, i) => IsWorthRetrying(results[i])).Select(u => u.Pending)]);
            LogFailures(results);
            HiddenPointClientLog.MissedUploadsRetried(_logger, results.Length, results.Count(r => r.Outcome == HsDirUploadOutcome.Stored));
            return results;
        }
        finally
        {
            _oneRound.Release();
        }
    }

    /// <summary>
    /// The descriptor of <paramref name="period"/> listing <paramref name="points"/>, built at <paramref name="now"/>:
    /// signed by the period's descriptor-signing key, which the period's blinded key certifies, with the next revision
    /// counter; and the blinded key and subcredential it is for.
    /// </summary>
    internal (BlindedPublicKey BlindedKey, Subcredential Subcredential, byte[] Document) Build(
        TimePeriod period, DateTimeOffset now, IReadOnlyList<HsIntroductionPoint> points)
    {
        using var blinded = KeyBlinding.BlindSigningKey(_identity, period, KeyBlindingLabels.Hpc);
        var subcredential = KeyBlinding.ComputeSubcredential(_identity.PublicKey, blinded.PublicKey, KeyBlindingLabels.Hpc);
        var content = new HsDescriptorContent
        {
            RevisionCounter = _revisions.Next(period, now),
            LifetimeMinutes = (int)_options.DescriptorLifetime.TotalMinutes,
            CertificatesExpire = now + CertificateLifetime,
            IntroductionPoints = points,
        };
        return (blinded.PublicKey, subcredential, HiddenPointDescriptor.Build(blinded, subcredential, SigningKeyFor(period), content));
    }

    public void Dispose()
    {
        foreach (var key in _signingKeys.Values)
        {
            key.Dispose();
        }

        _signingKeys.Clear();
        _oneRound.Dispose();
    }

    private void LogFailures(IEnumerable<HsDirUploadResult> results)
    {
        foreach (var failed in results.Where(r => r.Outcome != HsDirUploadOutcome.Stored))
        {
            HiddenPointClientLog.DescriptorUploadFailed(_logger, failed.Period, failed.Outcome, failed.Status?.ToString() ?? "none");
        }
    }

    // What may have been the path or the moment: no answer, or an HSDir that cannot decide yet (Unavailable: no usable
    // consensus, store full) or decides on another consensus than the host's (NotResponsible: an HSDir a few seconds
    // behind a network that just changed does not yet count itself among the relays the host's consensus names). A
    // refusal of the document itself (Rejected, BadRequest, TooLarge) would be the same again.
    private static bool IsWorthRetrying(HsDirUploadResult result) =>
        result.Outcome is HsDirUploadOutcome.NoCircuit or HsDirUploadOutcome.StreamFailed or HsDirUploadOutcome.TimedOut
        || result.Status is DirectoryStatus.Unavailable or DirectoryStatus.NotResponsible;

    private async Task<HsDirUploadResult> UploadAsync(PendingUpload pending, RelayStatus hsDir, CancellationToken cancellationToken)
    {
        var (period, _, blindedKey, document) = pending;
        using var deadline = new Deadline(_options.UploadTimeout, _time, cancellationToken);
        ProvidedCircuit provided;
        try
        {
            provided = await _circuits.GetAsync(CircuitPurpose.HsDir, hsDir, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            return new(period, hsDir.Id, HsDirUploadOutcome.TimedOut);
        }
        catch (Exception ex) when (ex is CircuitBuildException or CircuitException)
        {
            return new(period, hsDir.Id, HsDirUploadOutcome.NoCircuit);
        }

        await using (provided.Circuit.ConfigureAwait(false))
        {
            try
            {
                var status = await HsDirRequests.StoreAsync(provided.Circuit, blindedKey, document, deadline.Token).ConfigureAwait(false);
                return new(period, hsDir.Id, status == DirectoryStatus.Ok ? HsDirUploadOutcome.Stored : HsDirUploadOutcome.Refused, status);
            }
            catch (OperationCanceledException) when (deadline.Expired)
            {
                return new(period, hsDir.Id, HsDirUploadOutcome.TimedOut);
            }
            catch (CircuitException)
            {
                return new(period, hsDir.Id, HsDirUploadOutcome.StreamFailed);
            }
        }
    }

    // One signing key per period, made the first time the period is published for and kept while it is: HSDirs and
    // clients see the same key in every revision of the period's descriptor.
    private HsDescriptorSigningKey SigningKeyFor(TimePeriod period)
    {
        if (!_signingKeys.TryGetValue(period, out var key))
        {
            key = HsDescriptorSigningKey.Generate();
            _signingKeys[period] = key;
        }

        return key;
    }

    private void ForgetSigningKeys(TimePeriod oldestInUse)
    {
        foreach (var period in _signingKeys.Keys.Where(p => p.Number < oldestInUse.Number).ToList())
        {
            _signingKeys.Remove(period, out var key);
            key?.Dispose();
        }
    }

    /// <summary>One descriptor document for one HSDir: what a retry uploads again.</summary>
    private sealed record PendingUpload(ulong Period, RelayId HsDir, BlindedPublicKey BlindedKey, byte[] Document);
}
