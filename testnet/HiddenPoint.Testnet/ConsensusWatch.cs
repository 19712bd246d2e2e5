using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Testnet;

/// <summary>What the newest consensus says about the testnet's relays.</summary>
/// <param name="From">The authority that served it.</param>
/// <param name="ValidAfter">Its valid-after.</param>
/// <param name="Listed">Relays it lists (the testnet's or not).</param>
/// <param name="Ready">The testnet's relays listed with every flag in <see cref="ConsensusWatch.ClientFlags"/>.</param>
/// <param name="Signatures">Valid signatures by the testnet's authorities.</param>
internal sealed record ConsensusView(string From, DateTimeOffset ValidAfter, int Listed, int Ready, int Signatures);

/// <summary>
/// Fetches the consensus from the testnet's authorities as a client would (<c>GET /hpc/consensus</c>), accepts it
/// only with valid signatures of a majority of them and inside its validity window, and counts the relays listed the
/// way clients need them.
/// </summary>
internal sealed class ConsensusWatch : IDisposable
{
    /// <summary>
    /// The flags a relay needs before clients use it for everything a hidden point does: Running and Valid to be
    /// on a path at all, Guard to be a first hop, HSDir to hold hidden-point descriptors.
    /// </summary>
    public const RelayFlags ClientFlags = RelayFlags.Running | RelayFlags.Valid | RelayFlags.Guard | RelayFlags.HSDir;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly List<NodeRecord> _authorities;
    private readonly AuthorityId[] _pinned;
    private readonly HashSet<RelayId> _relays;
    private readonly TimeProvider _clock;

    public ConsensusWatch(TestnetState state, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(state);
        _clock = clock;
        _authorities = [.. state.Authorities];
        _pinned = [.. _authorities.Select(a => new AuthorityId(ParseKey(a.Identity)))];
        _relays = [.. state.Relays.Select(r => new RelayId(ParseKey(r.Identity)))];
    }

    /// <summary>The testnet's relays.</summary>
    public int RelayCount => _relays.Count;

    public void Dispose() => _http.Dispose();

    /// <summary>The newest usable consensus any authority serves, or null when none serves one yet.</summary>
    public async Task<ConsensusView?> FetchAsync(CancellationToken cancel)
    {
        var views = await Task.WhenAll(_authorities.Select(a => FetchFrom(a, cancel))).ConfigureAwait(false);
        return views.Where(v => v is not null).OrderByDescending(v => v!.ValidAfter).FirstOrDefault();
    }

    private async Task<ConsensusView?> FetchFrom(NodeRecord authority, CancellationToken cancel)
    {
        byte[] body;
        try
        {
            using var response = await _http.GetAsync(new Uri($"http://{authority.Endpoint}/hpc/consensus"), cancel).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            body = await response.Content.ReadAsByteArrayAsync(cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            return null;
        }

        return Read(authority.Name, body);
    }

    /// <summary>Checks a consensus document and counts the relays; null when it does not parse, verify or is not valid now.</summary>
    public ConsensusView? Read(string from, ReadOnlySpan<byte> document)
    {
        if (!UnverifiedConsensus.TryParse(document, out var unverified, out _))
        {
            return null;
        }

        var signed = unverified.VerifySignatures(_pinned);
        if (!signed.IsValid)
        {
            return null;
        }

        var timely = signed.Value.CheckValidAt(_clock.GetUtcNow());
        if (!timely.IsUsable)
        {
            return null;
        }

        var consensus = timely.Value;
        var ready = 0;
        foreach (var relay in consensus.Relays)
        {
            if (_relays.Contains(relay.Id) && (relay.Flags & ClientFlags) == ClientFlags)
            {
                ready++;
            }
        }

        return new ConsensusView(from, consensus.ValidAfter, consensus.Relays.Count, ready, signed.ValidSignatures);
    }

    private static Ed25519PublicKey ParseKey(string text)
    {
        var bytes = new byte[32];
        if (text.Length != 43 || !Convert.TryFromBase64String(text + "=", bytes, out var written) || written != 32)
        {
            throw new TestnetException($"'{text}' in {TestnetState.FileName} is not an identity; `run.sh clean` and run again.");
        }

        return Ed25519PublicKey.FromBytes(bytes);
    }
}
