using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// Writes votes and consensus documents. Deterministic: the same inputs give the same bytes whatever order the
/// authorities and relays are supplied in (both are written sorted by identity, signatures sorted by authority),
/// because every authority must arrive at the same consensus body to sign. Invalid input throws
/// <see cref="ArgumentException"/>.
/// </summary>
/// <remarks>
/// A consensus is made in three steps: each authority calls <see cref="BuildBody"/> on the same inputs,
/// <see cref="Sign"/>s the body, and after exchanging signatures calls <see cref="Assemble"/>.
/// </remarks>
public sealed class NetworkStatusBuilder
{
    /// <summary>Start of the period (whole seconds, UTC).</summary>
    public required DateTimeOffset ValidAfter { get; init; }

    /// <summary>When a newer document is expected (after <see cref="ValidAfter"/>).</summary>
    public required DateTimeOffset FreshUntil { get; init; }

    /// <summary>End of the period (not before <see cref="FreshUntil"/>).</summary>
    public required DateTimeOffset ValidUntil { get; init; }

    /// <summary>Network parameters; none by default.</summary>
    public NetworkParameters Parameters { get; init; } = NetworkParameters.Empty;

    /// <summary>
    /// The shared random value published before the newest one (32 bytes): <c>shared-rand-previous-value</c>, the
    /// value of the period before <see cref="SharedRandomCurrentValue"/>'s.
    /// </summary>
    public required ReadOnlyMemory<byte> SharedRandomPreviousValue { get; init; }

    /// <summary>The newest shared random value (32 bytes): <c>shared-rand-current-value</c>.</summary>
    public required ReadOnlyMemory<byte> SharedRandomCurrentValue { get; init; }

    /// <summary>The authorities (a vote lists only its voter).</summary>
    public required IReadOnlyList<AuthorityEntry> Authorities { get; init; }

    /// <summary>The relays, in any order.</summary>
    public required IReadOnlyList<RelayStatus> Relays { get; init; }

    /// <summary>Writes the signed body: every line up to and including <c>directory-footer</c>.</summary>
    public byte[] BuildBody(NetworkStatusKind kind)
    {
        Validate(kind);
        var authorities = Authorities.ToArray();
        Array.Sort(authorities, static (a, b) => a.Id.Key.Bytes.SequenceCompareTo(b.Id.Key.Bytes));
        var relays = Relays.ToArray();
        Array.Sort(relays, static (a, b) => a.Id.Key.Bytes.SequenceCompareTo(b.Id.Key.Bytes));
        RequireDistinct(authorities.Select(a => a.Id.Key), nameof(Authorities));
        RequireDistinct(relays.Select(r => r.Id.Key), nameof(Relays));

        var writer = new DocumentWriter(1024 + (relays.Length * 256));
        writer.Keyword(kind == NetworkStatusKind.Vote ? NetworkStatusParser.VoteKeyword : NetworkStatusParser.ConsensusKeyword)
            .Argument((ulong)NetworkStatusParser.Version).EndLine();
        writer.Keyword("valid-after").Time(ValidAfter).EndLine();
        writer.Keyword("fresh-until").Time(FreshUntil).EndLine();
        writer.Keyword("valid-until").Time(ValidUntil).EndLine();
        if (Parameters.All.Count > 0)
        {
            writer.Keyword("params");
            foreach (var (name, value) in Parameters.All)
            {
                writer.Argument(name + "=" + value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            writer.EndLine();
        }

        writer.Keyword("shared-rand-previous-value").Base64(SharedRandomPreviousValue.Span).EndLine();
        writer.Keyword("shared-rand-current-value").Base64(SharedRandomCurrentValue.Span).EndLine();
        foreach (var authority in authorities)
        {
            writer.Keyword("authority").Base64(authority.Id.Key.Bytes).Argument(authority.Nickname).Address(authority.Address).EndLine();
        }

        foreach (var relay in relays)
        {
            writer.Keyword("relay").Argument(relay.Nickname).Base64(relay.Id.Key.Bytes);
            if (kind == NetworkStatusKind.Vote)
            {
                // Only votes name the descriptor an entry was copied from; the consensus carries the keys themselves.
                writer.Base64(relay.DescriptorDigest!.Value.Bytes);
            }

            writer.EndLine();
            foreach (var address in relay.Addresses)
            {
                writer.Keyword("a").Address(address).EndLine();
            }

            writer.Keyword("keys").Base64(relay.LinkKey.Key.Bytes).Base64(relay.CircuitHandshakeKey.Key.Bytes).EndLine();
            RelayFamily.Write(writer, relay.Family);
            writer.Keyword("s");
            for (var bit = 0; bit < RelayFlagNames.Count; bit++)
            {
                if (((int)relay.Flags & (1 << bit)) != 0)
                {
                    writer.Argument(RelayFlagNames.Name(bit));
                }
            }

            writer.EndLine();
            writer.Keyword("w").Argument(relay.BandwidthWeight).EndLine();
        }

        writer.Keyword("directory-footer").EndLine();
        if (writer.Length > NetworkStatus.MaxSize)
        {
            throw new ArgumentException($"The document would be over the {NetworkStatus.MaxSize}-byte limit.");
        }

        return writer.ToArray();
    }

    /// <summary>Signs a body written by <see cref="BuildBody"/> as <paramref name="authority"/>.</summary>
    public static DirectorySignature Sign(NetworkStatusKind kind, ReadOnlySpan<byte> body, AuthorityIdentityKey authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var prefix = NetworkStatusParser.Prefix(kind);
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message);
        body.CopyTo(message.AsSpan(prefix.Length));
        return new DirectorySignature(authority.Id, authority.Sign(message));
    }

    /// <summary>Appends the signature lines, sorted by authority, to a body; the result is the document.</summary>
    /// <exception cref="ArgumentException">No signature, or two by the same authority.</exception>
    public static byte[] Assemble(ReadOnlySpan<byte> body, IEnumerable<DirectorySignature> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        var sorted = signatures.ToArray();
        if (sorted.Length is 0 or > NetworkStatus.MaxSignatures)
        {
            throw new ArgumentException($"A document carries 1 to {NetworkStatus.MaxSignatures} signatures.", nameof(signatures));
        }

        Array.Sort(sorted, static (a, b) => a.Authority.Key.Bytes.SequenceCompareTo(b.Authority.Key.Bytes));
        RequireDistinct(sorted.Select(s => s.Authority.Key), nameof(signatures));
        var output = new DocumentWriter(256);
        foreach (var signature in sorted)
        {
            output.Keyword("directory-signature").Base64(signature.Authority.Key.Bytes).Base64(signature.Signature).EndLine();
        }

        var document = new byte[body.Length + output.Length];
        body.CopyTo(document);
        output.Written.CopyTo(document.AsSpan(body.Length));
        if (document.Length > NetworkStatus.MaxSize)
        {
            throw new ArgumentException($"The document would be over the {NetworkStatus.MaxSize}-byte limit.");
        }

        return document;
    }

    /// <summary>Writes and signs a vote: <see cref="Authorities"/> must be exactly the voter's entry.</summary>
    public byte[] BuildVote(AuthorityIdentityKey voter)
    {
        ArgumentNullException.ThrowIfNull(voter);
        if (Authorities is not { Count: 1 } || Authorities[0].Id != voter.Id)
        {
            throw new ArgumentException("A vote lists exactly one authority: the voter.", nameof(voter));
        }

        var body = BuildBody(NetworkStatusKind.Vote);
        return Assemble(body, [Sign(NetworkStatusKind.Vote, body, voter)]);
    }

    private void Validate(NetworkStatusKind kind)
    {
        DocumentWriter.RequireDocumentTime(ValidAfter, nameof(ValidAfter));
        DocumentWriter.RequireDocumentTime(FreshUntil, nameof(FreshUntil));
        DocumentWriter.RequireDocumentTime(ValidUntil, nameof(ValidUntil));
        if (FreshUntil <= ValidAfter || ValidUntil < FreshUntil)
        {
            throw new ArgumentException("ValidAfter, FreshUntil, ValidUntil: valid-after < fresh-until ≤ valid-until must hold.");
        }

        if (SharedRandomPreviousValue.Length != NetworkStatus.SharedRandomLength)
        {
            throw new ArgumentException($"SharedRandomPreviousValue: a shared random value is {NetworkStatus.SharedRandomLength} bytes.");
        }

        if (SharedRandomCurrentValue.Length != NetworkStatus.SharedRandomLength)
        {
            throw new ArgumentException($"SharedRandomCurrentValue: a shared random value is {NetworkStatus.SharedRandomLength} bytes.");
        }

        ArgumentNullException.ThrowIfNull(Parameters);
        ArgumentNullException.ThrowIfNull(Authorities);
        ArgumentNullException.ThrowIfNull(Relays);
        var maxAuthorities = kind == NetworkStatusKind.Vote ? 1 : NetworkStatus.MaxAuthorities;
        if (Authorities.Count < 1 || Authorities.Count > maxAuthorities || Authorities.Any(a => a is null) || Relays.Any(r => r is null))
        {
            throw new ArgumentException($"Authorities: a {kind} lists 1 to {maxAuthorities} authorities.");
        }

        if (kind == NetworkStatusKind.Vote && Relays.Any(r => r.DescriptorDigest is null))
        {
            throw new ArgumentException("Relays: every entry of a vote names the descriptor it was copied from (DescriptorDigest).");
        }
    }

    private static void RequireDistinct(IEnumerable<Ed25519PublicKey> sortedKeys, string name)
    {
        Ed25519PublicKey? previous = null;
        foreach (var key in sortedKeys)
        {
            if (previous is { } last && last == key)
            {
                throw new ArgumentException($"{name}: the identity {key} appears twice.", name);
            }

            previous = key;
        }
    }
}
