using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// A relay's self-description, signed by its identity key: how to reach it (addresses), how to authenticate it
/// (link key) and extend circuits to it (circuit-handshake key), what it offers, and who runs it alongside (family).
/// Only obtained from <see cref="UnverifiedRelayDescriptor"/> after its signature and validity time are checked.
/// </summary>
public sealed class RelayDescriptor
{
    /// <summary>Largest descriptor accepted, checked before anything else.</summary>
    public const int MaxSize = 20_000;

    /// <summary>Most addresses a relay may list.</summary>
    public const int MaxAddresses = 8;

    /// <summary>Most relays a family line may name (<see cref="RelayFamily.MaxMembers"/>).</summary>
    public const int MaxFamily = RelayFamily.MaxMembers;

    internal RelayDescriptor(
        string nickname,
        RelayId identity,
        DateTimeOffset published,
        LinkPublicKey linkKey,
        DateTimeOffset linkKeyExpires,
        CircuitHandshakePublicKey circuitHandshakeKey,
        DateTimeOffset circuitHandshakeKeyExpires,
        RelayAddress[] addresses,
        uint bandwidth,
        string software,
        ProtocolSupport protocols,
        RelayId[] family,
        ReadOnlyMemory<byte> document)
    {
        Nickname = nickname;
        Identity = identity;
        Published = published;
        LinkKey = linkKey;
        LinkKeyExpires = linkKeyExpires;
        CircuitHandshakeKey = circuitHandshakeKey;
        CircuitHandshakeKeyExpires = circuitHandshakeKeyExpires;
        Addresses = addresses;
        Bandwidth = bandwidth;
        Software = software;
        Protocols = protocols;
        Family = family;
        Document = document;
    }

    /// <summary>How long after publication a descriptor stays valid.</summary>
    public static TimeSpan Lifetime { get; } = TimeSpan.FromHours(48);

    /// <summary>How far ahead of the checker's clock a publication time may be (relays' clocks drift).</summary>
    public static TimeSpan ClockSkewAllowance { get; } = TimeSpan.FromHours(1);

    /// <summary>A human-readable name, 1–19 letters and digits; not unique and not authenticated by anyone else.</summary>
    public string Nickname { get; }

    /// <summary>The relay's identity (the key that signed this descriptor).</summary>
    public RelayId Identity { get; }

    /// <summary>When the relay made this descriptor.</summary>
    public DateTimeOffset Published { get; }

    /// <summary>The Noise static key a link to this relay must authenticate.</summary>
    public LinkPublicKey LinkKey { get; }

    /// <summary>When the identity's certification of <see cref="LinkKey"/> expires.</summary>
    public DateTimeOffset LinkKeyExpires { get; }

    /// <summary>The ntor v3 key for circuits extended to this relay.</summary>
    public CircuitHandshakePublicKey CircuitHandshakeKey { get; }

    /// <summary>When the identity's certification of <see cref="CircuitHandshakeKey"/> expires.</summary>
    public DateTimeOffset CircuitHandshakeKeyExpires { get; }

    /// <summary>Where the relay accepts links, in the relay's order of preference (1–8, no repeats).</summary>
    public IReadOnlyList<RelayAddress> Addresses { get; }

    /// <summary>Advertised bandwidth, bytes per second.</summary>
    public uint Bandwidth { get; }

    /// <summary>Software and version, e.g. <c>hpc-relay/0.1.0</c>.</summary>
    public string Software { get; }

    /// <summary>Sub-protocols and versions the relay supports.</summary>
    public ProtocolSupport Protocols { get; }

    /// <summary>
    /// Other relays run by the same operator, as this relay declares them: sorted by identity, never this relay, empty
    /// when the descriptor has no <c>family</c> line. A declaration only: see <see cref="RelayFamily"/>.
    /// </summary>
    public IReadOnlyList<RelayId> Family { get; }

    /// <summary>The exact signed document this was parsed from.</summary>
    public ReadOnlyMemory<byte> Document { get; }
}
