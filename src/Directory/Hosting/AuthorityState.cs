using System.Text;
using System.Text.Json;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Storage;
using HiddenPoint.DirectoryAuthority.Descriptors;
using HiddenPoint.DirectoryAuthority.Voting;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.DirectoryAuthority.Hosting;

/// <summary>Why a vote sent by a peer was refused.</summary>
public enum VoteAcceptance
{
    /// <summary>Kept for the pending period.</summary>
    Accepted = 0,

    /// <summary>Does not parse.</summary>
    Malformed,

    /// <summary>Not signed by a configured authority, or the signature does not verify.</summary>
    BadSignature,

    /// <summary>For a period other than the pending one, or outside its time window.</summary>
    WrongPeriod,

    /// <summary>The voter already sent a different vote for this period.</summary>
    Conflicting,

    /// <summary>A vote from this voter for this period is already held, so the one offered was not read.</summary>
    AlreadyHeld,
}

/// <summary>Why a consensus signature sent by a peer was refused.</summary>
public enum SignatureAcceptance
{
    /// <summary>Kept for the pending consensus.</summary>
    Accepted = 0,

    /// <summary>Not one <c>directory-signature</c> line.</summary>
    Malformed,

    /// <summary>This authority has no pending consensus body to check it against.</summary>
    NoPendingConsensus,

    /// <summary>Not by a configured authority, or not over this authority's body.</summary>
    BadSignature,
}

/// <summary>
/// Everything the authority holds: its key, the configured authorities, the descriptor store, the pending round
/// (votes, consensus body, signatures) and the published consensus. State on disk: <c>authority.key</c>,
/// <c>consensus</c> and <c>descriptors.json</c> in the data folder, each written atomically.
/// </summary>
public sealed class AuthorityState : IDisposable
{
    /// <summary>The key file's name in the data folder.</summary>
    public const string KeyFileName = "authority.key";

    /// <summary>Longest signature line accepted (one is 151 bytes).</summary>
    internal const int MaxSignatureLine = 256;

    private const string ConsensusFileName = "consensus";
    private const string DescriptorsFileName = "descriptors.json";

    private readonly Lock _lock = new();
    private readonly Lock _saveLock = new();
    private readonly AuthorityIdentityKey _key;
    private readonly TimeProvider _clock;
    private readonly string _dataDirectory;
    private readonly Dictionary<AuthorityId, Vote> _votes = [];
    private readonly Dictionary<AuthorityId, DirectorySignature> _signatures = [];
    private VotingPeriod? _period;
    private byte[]? _ownVote;
    private byte[]? _body;
    private byte[]? _signedBody; // the signature domain prefix and _body: what each signature over it signs
    private byte[]? _ownSignatureLine;
    private byte[]? _consensus;
    private DateTimeOffset? _consensusValidAfter;
    private long _descriptorChanges;
    private long _descriptorChangesSaved;

    /// <summary>Loads the key and any saved state from the data folder.</summary>
    /// <exception cref="KeyFileException">The key file is missing or unusable.</exception>
    public AuthorityState(AuthorityOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _dataDirectory = options.DataDirectory;
        _key = KeyFile.Read<AuthorityIdentityKey>(Path.Combine(_dataDirectory, KeyFileName));
        Self = new AuthorityEntry(_key.Id, options.Nickname, options.ListenAddress);
        Peers = options.Authorities.Select(p =>
        {
            // The options validator has already refused anything that does not parse.
            if (!AuthorityOptions.TryParseIdentity(p.Identity, out var id) || !RelayAddress.TryParse(p.Address, out var address))
            {
                throw new ArgumentException($"Authorities: '{p.Nickname}' has an invalid identity or address.", nameof(options));
            }

            return new AuthorityEntry(id, p.Nickname, address);
        }).Where(p => p.Id != _key.Id).ToArray();
        Pinned = Peers.Select(p => p.Id).Append(_key.Id).Distinct().ToArray();
        Thresholds = options.Testnet ? FlagThresholds.Testnet : new FlagThresholds();
        Parameters = options.Parameters.Select(p => p).ToArray();
        Store = new DescriptorStore(new DescriptorStoreOptions { UploadsPerWindow = options.UploadsPerWindow }, clock);
        Load();
    }

    /// <summary>This authority as votes list it.</summary>
    public AuthorityEntry Self { get; }

    /// <summary>The other configured authorities.</summary>
    public IReadOnlyList<AuthorityEntry> Peers { get; }

    /// <summary>Every configured authority, this one included.</summary>
    public IReadOnlyList<AuthorityId> Pinned { get; }

    /// <summary>The flag thresholds this authority votes with.</summary>
    public FlagThresholds Thresholds { get; }

    /// <summary>The parameters this authority votes for.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Parameters { get; }

    /// <summary>The relays' descriptors.</summary>
    public DescriptorStore Store { get; }

    /// <summary>The published consensus, if any.</summary>
    public byte[]? Consensus
    {
        get
        {
            lock (_lock)
            {
                return _consensus;
            }
        }
    }

    /// <summary>This authority's vote for the pending period, if it has voted.</summary>
    public byte[]? OwnVote
    {
        get
        {
            lock (_lock)
            {
                return _ownVote;
            }
        }
    }

    /// <summary>This authority's signature line over the pending consensus body, if computed.</summary>
    public byte[]? OwnSignatureLine
    {
        get
        {
            lock (_lock)
            {
                return _ownSignatureLine;
            }
        }
    }

    /// <summary>Which authorities' votes are held for the pending period.</summary>
    public IReadOnlyList<AuthorityId> VotersHeld()
    {
        lock (_lock)
        {
            return [.. _votes.Keys];
        }
    }

    /// <summary>Which authorities' signatures are held for the pending body.</summary>
    public IReadOnlyList<AuthorityId> SignersHeld()
    {
        lock (_lock)
        {
            return [.. _signatures.Keys];
        }
    }

    /// <summary>
    /// Starts a period: composes and keeps this authority's vote, forgetting the last round's. When
    /// <paramref name="reachable"/> is given (the relays that answered this round's reachability test), only those can
    /// be voted Running.
    /// </summary>
    public byte[] BeginPeriod(VotingPeriod period, IReadOnlySet<RelayId>? reachable = null)
    {
        var now = _clock.GetUtcNow();

        // Relays that left stop being held once their descriptor is past the age limit; relays that answered keep
        // their place against new ones when the store is full.
        Store.Prune(now);
        if (reachable is not null)
        {
            Store.RecordReachable(reachable);
        }

        var document = VoteComposer.Compose(Store, _key, Self, period, Thresholds, Parameters, now, reachable);
        lock (_lock)
        {
            _period = period;
            _votes.Clear();
            _signatures.Clear();
            _body = null;
            _signedBody = null;
            _ownSignatureLine = null;
            _ownVote = document;
        }

        var own = AddVote(document);
        return own == VoteAcceptance.Accepted ? document : throw new InvalidOperationException("The authority's own vote was refused: " + own);
    }

    /// <summary>
    /// The cheap check made on a vote's first lines before the rest is received or parsed: the claimed voter must be
    /// a configured authority, the period the pending one, and no vote from that voter held yet.
    /// <see cref="VoteAcceptance.Accepted"/> means "read on".
    /// </summary>
    public VoteAcceptance AdmitVote(VoteHeader header)
    {
        if (!Pinned.Contains(header.Voter))
        {
            return VoteAcceptance.BadSignature;
        }

        lock (_lock)
        {
            if (_period is not { } period || header.ValidAfter != period.ValidAfter)
            {
                return VoteAcceptance.WrongPeriod;
            }

            return _votes.ContainsKey(header.Voter) ? VoteAcceptance.AlreadyHeld : VoteAcceptance.Accepted;
        }
    }

    /// <summary>Checks a vote (signature by a configured authority, the pending period) and keeps it.</summary>
    public VoteAcceptance AddVote(ReadOnlySpan<byte> document)
    {
        // The voter and the period are read from the first lines, so that a vote from anyone else, or for another
        // period, costs no parse of the whole document.
        if (VoteHeader.TryRead(document, out var header) != VoteHeaderStatus.Read)
        {
            return VoteAcceptance.Malformed;
        }

        if (!Pinned.Contains(header.Voter))
        {
            return VoteAcceptance.BadSignature;
        }

        lock (_lock)
        {
            if (_period is not { } pending || header.ValidAfter != pending.ValidAfter)
            {
                return VoteAcceptance.WrongPeriod;
            }

            if (_votes.TryGetValue(header.Voter, out var held) && held.Document.Span.SequenceEqual(document))
            {
                return VoteAcceptance.Accepted;
            }
        }

        if (!UnverifiedVote.TryParse(document, out var unverified, out _))
        {
            return VoteAcceptance.Malformed;
        }

        var signed = unverified.VerifySignature(Pinned);
        if (!signed.IsValid)
        {
            return VoteAcceptance.BadSignature;
        }

        var timely = signed.Value.CheckValidAt(_clock);
        lock (_lock)
        {
            if (!timely.IsUsable || _period is not { } period || timely.Value.ValidAfter != period.ValidAfter)
            {
                return VoteAcceptance.WrongPeriod;
            }

            var vote = timely.Value;
            if (_votes.TryGetValue(vote.Voter.Id, out var held))
            {
                return held.Document.Span.SequenceEqual(vote.Document.Span) ? VoteAcceptance.Accepted : VoteAcceptance.Conflicting;
            }

            _votes[vote.Voter.Id] = vote;
            return VoteAcceptance.Accepted;
        }
    }

    /// <summary>Computes the consensus body from the votes held, signs it, and returns this authority's signature line.</summary>
    public ConsensusResult ComputeConsensus()
    {
        Vote[] votes;
        VotingPeriod period;
        lock (_lock)
        {
            if (_period is not { } pending)
            {
                return new(ConsensusFailure.NoVotes, null, 0);
            }

            period = pending;
            votes = [.. _votes.Values];
        }

        var result = ConsensusComputation.Compute(votes, Pinned.Count, period.ValidAfter);
        if (result.Body is null)
        {
            return result;
        }

        var signature = NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, result.Body, _key);
        var line = SignatureLine(signature);
        var signedBody = DirectorySignature.SignedMessage(NetworkStatusKind.Consensus, result.Body);
        lock (_lock)
        {
            _body = result.Body;
            _signedBody = signedBody;
            _signatures.Clear();
            _signatures[_key.Id] = signature;
            _ownSignatureLine = line;
        }

        return result;
    }

    /// <summary>
    /// Checks a peer's signature line against this authority's body and keeps it. The line is parsed on its own and
    /// its signer checked against the configured authorities before the one signature check over the body.
    /// </summary>
    public SignatureAcceptance AddSignature(ReadOnlySpan<byte> line)
    {
        if (line.Length > MaxSignatureLine || !line.StartsWith("directory-signature "u8) || line.IndexOf((byte)'\n') != line.Length - 1)
        {
            return SignatureAcceptance.Malformed;
        }

        byte[]? body;
        byte[]? signedBody;
        lock (_lock)
        {
            body = _body;
            signedBody = _signedBody;
        }

        if (body is null || signedBody is null)
        {
            return SignatureAcceptance.NoPendingConsensus;
        }

        if (!DirectorySignature.TryParseLine(line, out var signature))
        {
            return SignatureAcceptance.Malformed;
        }

        if (!Pinned.Contains(signature.Authority))
        {
            return SignatureAcceptance.BadSignature;
        }

        lock (_lock)
        {
            // A copy of a signature already held (a replay, or a push racing this authority's pull) costs nothing.
            if (ReferenceEquals(body, _body) && _signatures.TryGetValue(signature.Authority, out var held) && held.Signature.SequenceEqual(signature.Signature))
            {
                return SignatureAcceptance.Accepted;
            }
        }

        if (!signature.Verify(signedBody))
        {
            return SignatureAcceptance.BadSignature;
        }

        lock (_lock)
        {
            if (!ReferenceEquals(body, _body))
            {
                return SignatureAcceptance.NoPendingConsensus;
            }

            _signatures[signature.Authority] = signature;
            return SignatureAcceptance.Accepted;
        }
    }

    /// <summary>
    /// Publishes the pending consensus when more than half of the configured authorities have signed it: assembles
    /// the document, checks it as a client would, saves it. Returns the document, or null when it cannot publish.
    /// </summary>
    public byte[]? TryPublish()
    {
        byte[] body;
        DirectorySignature[] signatures;
        lock (_lock)
        {
            if (_body is null || _signatures.Count <= Pinned.Count / 2)
            {
                return null;
            }

            body = _body;
            signatures = [.. _signatures.Values];
        }

        var document = NetworkStatusBuilder.Assemble(body, signatures);
        if (!UnverifiedConsensus.TryParse(document, out var unverified, out _))
        {
            return null;
        }

        var check = unverified.VerifySignatures(Pinned);
        if (!check.IsValid)
        {
            return null;
        }

        var validAfter = check.Value.ValidFrom;
        lock (_lock)
        {
            if (_consensusValidAfter is { } held && held > validAfter)
            {
                return null;
            }

            _consensus = document;
            _consensusValidAfter = validAfter;
        }

        AtomicFile.Write(Path.Combine(_dataDirectory, ConsensusFileName), document);
        return document;
    }

    /// <summary>Raised after the descriptors file has been written.</summary>
    public event EventHandler? DescriptorsSaved;

    /// <summary>True when a descriptor was accepted after the last save.</summary>
    public bool DescriptorsDirty => Interlocked.Read(ref _descriptorChanges) != Interlocked.Read(ref _descriptorChangesSaved);

    /// <summary>
    /// Checks an uploaded descriptor (<see cref="DescriptorStore.Submit"/>); an accepted one marks the descriptors
    /// for saving and signals <paramref name="accepted"/> so that the write-behind saves them promptly.
    /// </summary>
    public DescriptorSubmission SubmitDescriptor(ReadOnlySpan<byte> document, System.Net.IPAddress source, Action? accepted = null)
    {
        var result = Store.Submit(document, source);
        if (result.IsAccepted)
        {
            Interlocked.Increment(ref _descriptorChanges);
            accepted?.Invoke();
        }

        return result;
    }

    /// <summary>Saves the descriptors (documents and first-seen times), atomically.</summary>
    public void SaveDescriptors()
    {
        // One save at a time, each from a snapshot taken under the lock, so an older snapshot can never be renamed
        // over a newer one.
        lock (_saveLock)
        {
            var changes = Interlocked.Read(ref _descriptorChanges);
            var saved = Store.Snapshot().Select(d => new SavedDescriptor
            {
                FirstSeen = d.FirstSeen,
                Reachable = Store.IsReachable(d.Descriptor.Identity),
                Document = Encoding.ASCII.GetString(d.Descriptor.Document.Span),
            }).ToArray();
            AtomicFile.Write(Path.Combine(_dataDirectory, DescriptorsFileName), JsonSerializer.SerializeToUtf8Bytes(saved));
            Interlocked.Exchange(ref _descriptorChangesSaved, changes);
        }

        DescriptorsSaved?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>Saves the descriptors when any was accepted since the last save; true when it wrote.</summary>
    public bool SaveDescriptorsIfDirty()
    {
        if (!DescriptorsDirty)
        {
            return false;
        }

        SaveDescriptors();
        return true;
    }

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();

    private static byte[] SignatureLine(DirectorySignature signature) => Encoding.ASCII.GetBytes(
        "directory-signature " + signature.Authority.Key + " " + Convert.ToBase64String(signature.Signature).TrimEnd('=') + "\n");

    // Saved state is checked like anything received: a consensus that no longer verifies, and descriptors that no
    // longer pass, are dropped.
    private void Load()
    {
        var consensusPath = Path.Combine(_dataDirectory, ConsensusFileName);
        if (File.Exists(consensusPath))
        {
            var document = File.ReadAllBytes(consensusPath);
            if (UnverifiedConsensus.TryParse(document, out var unverified, out _) && unverified.VerifySignatures(Pinned) is { IsValid: true } check)
            {
                _consensus = document;
                _consensusValidAfter = check.Value.ValidFrom;
            }
        }

        var descriptorsPath = Path.Combine(_dataDirectory, DescriptorsFileName);
        if (File.Exists(descriptorsPath))
        {
            SavedDescriptor[]? saved = null;
            try
            {
                saved = JsonSerializer.Deserialize<SavedDescriptor[]>(File.ReadAllBytes(descriptorsPath));
            }
            catch (JsonException)
            {
                // An unreadable state file loses only descriptors, which relays upload again.
            }

            foreach (var entry in saved ?? [])
            {
                if (entry?.Document is { } text)
                {
                    Store.Restore(Encoding.ASCII.GetBytes(text), entry.FirstSeen, entry.Reachable);
                }
            }
        }
    }

    private sealed class SavedDescriptor
    {
        public DateTimeOffset FirstSeen { get; set; }

        // Absent in files written before it was saved: such relays count as not yet found reachable.
        public bool Reachable { get; set; }

        public string? Document { get; set; }
    }
}
