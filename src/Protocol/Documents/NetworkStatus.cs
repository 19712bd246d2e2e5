using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>Which network-status document: an authority's vote or the consensus computed from the votes.</summary>
public enum NetworkStatusKind
{
    /// <summary>One authority's view, signed by that authority alone.</summary>
    Vote = 1,

    /// <summary>The agreed view, signed by the authorities.</summary>
    Consensus = 2,
}

/// <summary>A directory authority as a vote or consensus lists it.</summary>
public sealed class AuthorityEntry
{
    /// <summary>Creates an entry.</summary>
    /// <exception cref="ArgumentException">A bad nickname, a default id or a default address.</exception>
    public AuthorityEntry(AuthorityId id, string nickname, RelayAddress address)
    {
        if (id.Key.Bytes.Length == 0)
        {
            throw new ArgumentException("An authority needs an identity.", nameof(id));
        }

        if (!DocumentValues.IsNickname(nickname))
        {
            throw new ArgumentException("A nickname is 1–19 ASCII letters and digits.", nameof(nickname));
        }

        if (address.Address is null)
        {
            throw new ArgumentException("An authority needs an address.", nameof(address));
        }

        Id = id;
        Nickname = nickname;
        Address = address;
    }

    private AuthorityEntry(AuthorityId id, string nickname, RelayAddress address, bool _)
    {
        Id = id;
        Nickname = nickname;
        Address = address;
    }

    /// <summary>The authority's identity.</summary>
    public AuthorityId Id { get; }

    /// <summary>Its nickname.</summary>
    public string Nickname { get; }

    /// <summary>Where it serves the directory.</summary>
    public RelayAddress Address { get; }

    internal static AuthorityEntry Parsed(AuthorityId id, string nickname, RelayAddress address) => new(id, nickname, address, false);
}

/// <summary>One relay's entry in a vote or consensus.</summary>
public sealed class RelayStatus
{
    /// <summary>Most addresses an entry may list.</summary>
    public const int MaxAddresses = RelayDescriptor.MaxAddresses;

    /// <summary>Creates an entry.</summary>
    /// <param name="descriptorDigest">The descriptor the entry was copied from: required in a vote, not written in a
    /// consensus.</param>
    /// <param name="family">The family that descriptor declares, in any order (kept sorted); none by default.</param>
    /// <exception cref="ArgumentException">A bad nickname, missing key, undefined flag, not 1–8 distinct addresses,
    /// or a family with more than <see cref="RelayFamily.MaxMembers"/> members, a repeat or the relay itself.</exception>
    public RelayStatus(
        RelayId id,
        string nickname,
        IReadOnlyList<RelayAddress> addresses,
        LinkPublicKey linkKey,
        CircuitHandshakePublicKey circuitHandshakeKey,
        RelayFlags flags,
        uint bandwidthWeight,
        DescriptorDigest? descriptorDigest = null,
        IReadOnlyList<RelayId>? family = null)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (id.Key.Bytes.Length == 0 || linkKey.Key.Bytes.Length == 0 || circuitHandshakeKey.Key.Bytes.Length == 0)
        {
            throw new ArgumentException("A relay entry needs its identity, link key and circuit-handshake key.");
        }

        if (!DocumentValues.IsNickname(nickname))
        {
            throw new ArgumentException("A nickname is 1–19 ASCII letters and digits.", nameof(nickname));
        }

        if (addresses.Count is 0 or > MaxAddresses || addresses.Distinct().Count() != addresses.Count || addresses.Any(a => a.Address is null))
        {
            throw new ArgumentException($"A relay entry lists 1 to {MaxAddresses} distinct addresses.", nameof(addresses));
        }

        if ((flags & ~RelayFlagNames.All) != 0)
        {
            throw new ArgumentException("Undefined relay flag.", nameof(flags));
        }

        if (descriptorDigest is { Bytes.IsEmpty: true })
        {
            throw new ArgumentException("A descriptor digest names a descriptor: the default value names none.", nameof(descriptorDigest));
        }

        Family = family is null or { Count: 0 } ? [] : RelayFamily.Canonical(family, id, nameof(family));
        Id = id;
        Nickname = nickname;
        Addresses = addresses.ToArray();
        LinkKey = linkKey;
        CircuitHandshakeKey = circuitHandshakeKey;
        Flags = flags;
        BandwidthWeight = bandwidthWeight;
        DescriptorDigest = descriptorDigest;
    }

    private RelayStatus(RelayId id, string nickname, RelayAddress[] addresses, LinkPublicKey linkKey, CircuitHandshakePublicKey circuitHandshakeKey, RelayFlags flags, uint bandwidthWeight, DescriptorDigest? descriptorDigest, RelayId[] family)
    {
        Family = family;
        Id = id;
        Nickname = nickname;
        Addresses = addresses;
        LinkKey = linkKey;
        CircuitHandshakeKey = circuitHandshakeKey;
        Flags = flags;
        BandwidthWeight = bandwidthWeight;
        DescriptorDigest = descriptorDigest;
    }

    /// <summary>The relay's identity; entries are sorted by its bytes.</summary>
    public RelayId Id { get; }

    /// <summary>The relay's nickname.</summary>
    public string Nickname { get; }

    /// <summary>Where it accepts links.</summary>
    public IReadOnlyList<RelayAddress> Addresses { get; }

    /// <summary>Its Noise static key.</summary>
    public LinkPublicKey LinkKey { get; }

    /// <summary>Its ntor v3 key.</summary>
    public CircuitHandshakePublicKey CircuitHandshakeKey { get; }

    /// <summary>What the authorities say about it.</summary>
    public RelayFlags Flags { get; }

    /// <summary>Relative weight for path selection (unitless; authorities use measured kilobytes per second).</summary>
    public uint BandwidthWeight { get; }

    /// <summary>
    /// In a vote, the digest of the relay descriptor this entry was copied from (the voter verified its signature);
    /// null in a consensus, which does not carry it.
    /// </summary>
    public DescriptorDigest? DescriptorDigest { get; }

    /// <summary>
    /// The other relays this relay declares as its operator's, copied from the descriptor the authorities verified:
    /// sorted by identity, never the relay itself, empty when it declares none. One side's word only: two relays are
    /// one family when each declares the other (<see cref="RelayFamily.AreFamily"/>).
    /// </summary>
    public IReadOnlyList<RelayId> Family { get; }

    internal static RelayStatus Parsed(RelayId id, string nickname, RelayAddress[] addresses, LinkPublicKey linkKey, CircuitHandshakePublicKey circuitHandshakeKey, RelayFlags flags, uint bandwidthWeight, DescriptorDigest? descriptorDigest, RelayId[] family) =>
        new(id, nickname, addresses, linkKey, circuitHandshakeKey, flags, bandwidthWeight, descriptorDigest, family);
}

/// <summary>What votes and the consensus share: the validity window, parameters, authorities and relays.</summary>
public abstract class NetworkStatus
{
    /// <summary>Largest vote or consensus accepted, checked before anything else.</summary>
    public const int MaxSize = 16 * 1024 * 1024;

    /// <summary>Most authorities a consensus may list.</summary>
    public const int MaxAuthorities = 64;

    /// <summary>Most signature lines a consensus may carry.</summary>
    public const int MaxSignatures = 64;

    /// <summary>Length of the shared random value.</summary>
    public const int SharedRandomLength = 32;

    private readonly RelayStatus[] _relays;

    private protected NetworkStatus(NetworkStatusContent content, ReadOnlyMemory<byte> document)
    {
        ValidAfter = content.ValidAfter;
        FreshUntil = content.FreshUntil;
        ValidUntil = content.ValidUntil;
        Parameters = content.Parameters;
        SharedRandomPreviousValue = content.SharedRandomPreviousValue;
        SharedRandomCurrentValue = content.SharedRandomCurrentValue;
        Authorities = content.Authorities;
        _relays = content.Relays;
        Document = document;
    }

    /// <summary>Which kind of document this is.</summary>
    public abstract NetworkStatusKind Kind { get; }

    /// <summary>Start of the period this document describes; the network's clock for time periods.</summary>
    public DateTimeOffset ValidAfter { get; }

    /// <summary>When a newer document is expected.</summary>
    public DateTimeOffset FreshUntil { get; }

    /// <summary>End of the period; usable after it only within a grace period, as stale.</summary>
    public DateTimeOffset ValidUntil { get; }

    /// <summary>Network parameters.</summary>
    public NetworkParameters Parameters { get; }

    /// <summary>
    /// <c>shared-rand-previous-value</c> (32 bytes): the HSDir ring's shared random value for the time period before
    /// <see cref="SharedRandomCurrentValue"/>'s (docs/directory-documents.md §3.7).
    /// </summary>
    public ReadOnlyMemory<byte> SharedRandomPreviousValue { get; }

    /// <summary>
    /// <c>shared-rand-current-value</c> (32 bytes): the newest shared random value, for the time period numbered
    /// <c>floor(valid-after minutes / period length)</c> (docs/directory-documents.md §3.7).
    /// </summary>
    public ReadOnlyMemory<byte> SharedRandomCurrentValue { get; }

    /// <summary>The authorities listed, sorted by identity.</summary>
    public IReadOnlyList<AuthorityEntry> Authorities { get; }

    /// <summary>The relays, sorted by identity.</summary>
    public IReadOnlyList<RelayStatus> Relays => _relays;

    /// <summary>The exact document this was parsed from, signatures included.</summary>
    public ReadOnlyMemory<byte> Document { get; }

    /// <summary>Finds a relay's entry by identity (binary search: entries are sorted).</summary>
    public bool TryGetRelay(RelayId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RelayStatus? relay)
    {
        int low = 0, high = _relays.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var order = _relays[middle].Id.Key.Bytes.SequenceCompareTo(id.Key.Bytes);
            if (order == 0)
            {
                relay = _relays[middle];
                return true;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        relay = null;
        return false;
    }
}

/// <summary>The consensus: the network's agreed list of relays for one period, signed by a majority of authorities.</summary>
public sealed class Consensus : NetworkStatus
{
    internal Consensus(NetworkStatusContent content, ReadOnlyMemory<byte> document, AuthorityId[] signers)
        : base(content, document) => Signers = signers;

    /// <inheritdoc/>
    public override NetworkStatusKind Kind => NetworkStatusKind.Consensus;

    /// <summary>The pinned authorities whose valid signatures were counted.</summary>
    public IReadOnlyList<AuthorityId> Signers { get; }
}

/// <summary>One authority's vote for a period.</summary>
public sealed class Vote : NetworkStatus
{
    internal Vote(NetworkStatusContent content, ReadOnlyMemory<byte> document)
        : base(content, document)
    {
    }

    /// <inheritdoc/>
    public override NetworkStatusKind Kind => NetworkStatusKind.Vote;

    /// <summary>The authority that voted (and signed).</summary>
    public AuthorityEntry Voter => Authorities[0];
}

/// <summary>The parsed body of a vote or consensus, before it is wrapped in its document type.</summary>
internal sealed class NetworkStatusContent
{
    public required DateTimeOffset ValidAfter { get; init; }

    public required DateTimeOffset FreshUntil { get; init; }

    public required DateTimeOffset ValidUntil { get; init; }

    public required NetworkParameters Parameters { get; init; }

    public required ReadOnlyMemory<byte> SharedRandomPreviousValue { get; init; }

    public required ReadOnlyMemory<byte> SharedRandomCurrentValue { get; init; }

    public required AuthorityEntry[] Authorities { get; init; }

    public required RelayStatus[] Relays { get; init; }
}
