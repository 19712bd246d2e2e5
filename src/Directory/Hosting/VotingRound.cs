using System.Net.Http.Headers;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Reachability;
using HiddenPoint.DirectoryAuthority.Voting;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.DirectoryAuthority.Hosting;

/// <summary>
/// Runs one round per voting interval on the injected clock. For the period starting at <c>valid-after</c>, with
/// interval <c>I</c>: at <c>valid-after − I/2</c> the authority votes and sends its vote to every peer; at
/// <c>valid-after − I/4</c> it fetches the votes it lacks, computes the consensus, signs it and sends its signature;
/// at <c>valid-after</c> it fetches the signatures it lacks and publishes when more than half of the authorities
/// have signed. Peers that are down only cost their share of the round's time.
/// </summary>
internal sealed partial class VotingRound : BackgroundService
{
    private static readonly MediaTypeHeaderValue s_text = new("text/plain");
    private static readonly TimeSpan s_maxReachabilityWindow = TimeSpan.FromMinutes(10);
    private readonly AuthorityState _state;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private readonly ILogger<VotingRound> _logger;
    private readonly HttpClient _http;
    private readonly RelayReachability? _reachability;

    public VotingRound(AuthorityState state, TimeProvider clock, IOptions<AuthorityOptions> options, ILogger<VotingRound> logger, RelayReachability? reachability = null)
    {
        _state = state;
        _reachability = reachability;
        _clock = clock;
        _interval = options.Value.VotingInterval;
        _logger = logger;
        _http = new HttpClient { Timeout = _interval / 8 < TimeSpan.FromSeconds(10) ? _interval / 8 : TimeSpan.FromSeconds(10) };
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = _clock.GetUtcNow();
            var period = VotingPeriod.Next(now, _interval);
            var voteAt = period.ValidAfter - (_interval / 2);
            var computeAt = period.ValidAfter - (_interval / 4);
            if (now > computeAt)
            {
                // Too late to take part in this period: wait for the next one.
                await DelayUntil(period.ValidAfter, stoppingToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                await RunRound(period, voteAt, computeAt, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                // A failed round (a full disk, a vote that cannot be written) must not stop the authority: the
                // next period is tried afresh.
                Log.RoundFailed(_logger, period.ValidAfter, e);
                await DelayUntil(period.ValidAfter, stoppingToken).ConfigureAwait(false);
            }
        }

        try
        {
            _state.SaveDescriptors();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.SaveFailed(_logger, e);
        }
    }

    private async Task RunRound(VotingPeriod period, DateTimeOffset voteAt, DateTimeOffset computeAt, CancellationToken cancel)
    {
        var reachable = await TestReachability(period, voteAt, cancel).ConfigureAwait(false);
        await DelayUntil(voteAt, cancel).ConfigureAwait(false);
        var vote = _state.BeginPeriod(period, reachable);
        await Task.WhenAll(_state.Peers.Select(peer => Post(peer, "/hpc/vote", vote, cancel))).ConfigureAwait(false);

        await DelayUntil(computeAt, cancel).ConfigureAwait(false);
        var voters = _state.VotersHeld();
        await Task.WhenAll(_state.Peers.Where(p => !voters.Contains(p.Id)).Select(async peer =>
        {
            if (await Get(peer, "/hpc/vote", cancel).ConfigureAwait(false) is { } theirs)
            {
                _state.AddVote(theirs);
            }
        })).ConfigureAwait(false);
        var result = _state.ComputeConsensus();
        if (result.Body is null)
        {
            Log.NoConsensus(_logger, period.ValidAfter, result.Failure, result.VotesCounted);
            await DelayUntil(period.ValidAfter, cancel).ConfigureAwait(false);
            return;
        }

        var line = _state.OwnSignatureLine!;
        await Task.WhenAll(_state.Peers.Select(peer => Post(peer, "/hpc/signature", line, cancel))).ConfigureAwait(false);

        await DelayUntil(period.ValidAfter, cancel).ConfigureAwait(false);
        var signers = _state.SignersHeld();
        await Task.WhenAll(_state.Peers.Where(p => !signers.Contains(p.Id)).Select(async peer =>
        {
            if (await Get(peer, "/hpc/signature", cancel).ConfigureAwait(false) is { } theirs)
            {
                _state.AddSignature(theirs);
            }
        })).ConfigureAwait(false);
        var published = _state.TryPublish();
        if (published is null)
        {
            Log.NotPublished(_logger, period.ValidAfter, _state.SignersHeld().Count, _state.Pinned.Count);
        }
        else
        {
            var held = _state.SignersHeld();
            Log.Published(_logger, period.ValidAfter, result.VotesCounted, held.Count);
            var missing = _state.Peers.Where(p => !held.Contains(p.Id)).Select(p => p.Nickname).ToArray();
            if (missing.Length > 0)
            {
                // Still valid with more than half, but each authority lost brings the network closer to no consensus.
                Log.PublishedWithout(_logger, period.ValidAfter, held.Count, _state.Pinned.Count, string.Join(", ", missing));
            }
        }

        _state.SaveDescriptors();
    }

    // Before voting, each listed relay must answer a handshake on its link port to be Running. The tests start at
    // most ReachabilityWindow before the vote (as soon as the round starts on a short interval) and stop when the
    // vote is due; a relay that uploads after they started is tested next round.
    private async Task<IReadOnlySet<RelayId>?> TestReachability(VotingPeriod period, DateTimeOffset voteAt, CancellationToken cancel)
    {
        if (_reachability is null)
        {
            return null;
        }

        var window = _interval / 2 < s_maxReachabilityWindow ? _interval / 2 : s_maxReachabilityWindow;
        await DelayUntil(voteAt - window, cancel).ConfigureAwait(false);
        var remaining = voteAt - _clock.GetUtcNow();
        using var due = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, due.Token);
        var relays = _state.Store.Listable(_clock.GetUtcNow()).Select(s => s.Descriptor).ToArray();
        var reachable = await _reachability.TestRoundAsync(period.ValidAfter, relays, linked.Token).ConfigureAwait(false);
        cancel.ThrowIfCancellationRequested();
        return reachable;
    }

    private async Task DelayUntil(DateTimeOffset when, CancellationToken cancel)
    {
        var wait = when - _clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _clock, cancel).ConfigureAwait(false);
        }
    }

    private static Uri Url(AuthorityEntry peer, string path) => new("http://" + peer.Address + path);

    private async Task Post(AuthorityEntry peer, string path, byte[] body, CancellationToken cancel)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = s_text;
            using var response = await _http.PostAsync(Url(peer, path), content, cancel).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                Log.PeerRefused(_logger, peer.Nickname, path, (int)response.StatusCode);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            Log.PeerUnreachable(_logger, peer.Nickname, path, e.Message);
        }
    }

    private async Task<byte[]?> Get(AuthorityEntry peer, string path, CancellationToken cancel)
    {
        try
        {
            using var response = await _http.GetAsync(Url(peer, path), HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > NetworkStatus.MaxSize)
            {
                return null;
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancel).ConfigureAwait(false);
            return body.Length <= NetworkStatus.MaxSize ? body : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            Log.PeerUnreachable(_logger, peer.Nickname, path, e.Message);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Information, "Published the consensus for {ValidAfter} from {Votes} votes with {Signatures} signatures", EventName = "ConsensusPublished")]
        public static partial void Published(ILogger logger, DateTimeOffset validAfter, int votes, int signatures);

        [LoggerMessage(2002, LogLevel.Warning, "No consensus for {ValidAfter}: {Failure} ({Votes} votes)", EventName = "NoConsensus")]
        public static partial void NoConsensus(ILogger logger, DateTimeOffset validAfter, ConsensusFailure failure, int votes);

        [LoggerMessage(2008, LogLevel.Warning, "The consensus for {ValidAfter} carries {Signatures} of {Authorities} authorities' signatures; not signed by {Missing}", EventName = "PublishedWithoutSome")]
        public static partial void PublishedWithout(ILogger logger, DateTimeOffset validAfter, int signatures, int authorities, string missing);

        [LoggerMessage(2003, LogLevel.Warning, "Did not publish for {ValidAfter}: {Signatures} of {Authorities} authorities signed", EventName = "NotPublished")]
        public static partial void NotPublished(ILogger logger, DateTimeOffset validAfter, int signatures, int authorities);

        [LoggerMessage(2004, LogLevel.Information, "Authority {Peer} refused {Path}: HTTP {Status}", EventName = "PeerRefused")]
        public static partial void PeerRefused(ILogger logger, string peer, string path, int status);

        [LoggerMessage(2006, LogLevel.Error, "The round for {ValidAfter} failed", EventName = "RoundFailed")]
        public static partial void RoundFailed(ILogger logger, DateTimeOffset validAfter, Exception exception);

        [LoggerMessage(2007, LogLevel.Error, "Could not save the descriptors at shutdown", EventName = "SaveFailed")]
        public static partial void SaveFailed(ILogger logger, Exception exception);

        [LoggerMessage(2005, LogLevel.Information, "Authority {Peer} unreachable for {Path}: {Reason}", EventName = "PeerUnreachable")]
        public static partial void PeerUnreachable(ILogger logger, string peer, string path, string reason);
    }
}
