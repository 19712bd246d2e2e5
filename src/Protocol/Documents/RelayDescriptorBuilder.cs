using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// Writes and signs a relay descriptor. Separate from the parser, so that what a relay publishes and what a
/// reader accepts are checked against each other by the tests rather than sharing code paths. Invalid fields are
/// the caller's bug and throw <see cref="ArgumentException"/>.
/// </summary>
public sealed class RelayDescriptorBuilder
{
    /// <summary>1–19 ASCII letters and digits.</summary>
    public required string Nickname { get; init; }

    /// <summary>Publication time (whole seconds, UTC; see <see cref="DocumentTime.FloorToSecond"/>).</summary>
    public required DateTimeOffset Published { get; init; }

    /// <summary>The Noise static key.</summary>
    public required LinkPublicKey LinkKey { get; init; }

    /// <summary>When the link key's certificate expires (after <see cref="Published"/>).</summary>
    public required DateTimeOffset LinkKeyExpires { get; init; }

    /// <summary>The ntor v3 key.</summary>
    public required CircuitHandshakePublicKey CircuitHandshakeKey { get; init; }

    /// <summary>When the circuit-handshake key's certificate expires (after <see cref="Published"/>).</summary>
    public required DateTimeOffset CircuitHandshakeKeyExpires { get; init; }

    /// <summary>1–8 distinct addresses, in order of preference.</summary>
    public required IReadOnlyList<RelayAddress> Addresses { get; init; }

    /// <summary>Advertised bandwidth, bytes per second.</summary>
    public required uint Bandwidth { get; init; }

    /// <summary>Software and version (1–64 of <c>A–Z a–z 0–9 . _ + / -</c>).</summary>
    public required string Software { get; init; }

    /// <summary>Supported sub-protocols.</summary>
    public required ProtocolSupport Protocols { get; init; }

    /// <summary>Other relays of the same operator, in any order (written sorted); at most
    /// <see cref="RelayFamily.MaxMembers"/>, no repeats, not this relay.</summary>
    public IReadOnlyList<RelayId> Family { get; init; } = [];

    /// <summary>Writes the descriptor, certifies both keys and signs the whole with <paramref name="identity"/>.</summary>
    /// <returns>The document bytes.</returns>
    public byte[] Sign(RelayIdentityKey identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        Validate();
        var family = RelayFamily.Canonical(Family, identity.Id, nameof(Family));

        var writer = new DocumentWriter(2048);
        writer.Keyword(RelayDescriptorParser.DocumentKeyword).Argument((ulong)RelayDescriptorParser.Version).EndLine();
        writer.Keyword("nickname").Argument(Nickname).EndLine();
        writer.Keyword("identity").Base64(identity.PublicKey.Bytes).EndLine();
        writer.Keyword("published").Time(Published).EndLine();
        writer.Keyword("link-key").Base64(LinkKey.Key.Bytes).EndLine();
        writer.Keyword("link-key-cert").Time(LinkKeyExpires)
            .Base64(KeyCertificate.Sign(identity, CertifiedKeyRole.Link, LinkKey.Key, LinkKeyExpires)).EndLine();
        writer.Keyword("circuit-handshake-key").Base64(CircuitHandshakeKey.Key.Bytes).EndLine();
        writer.Keyword("circuit-handshake-key-cert").Time(CircuitHandshakeKeyExpires)
            .Base64(KeyCertificate.Sign(identity, CertifiedKeyRole.CircuitHandshake, CircuitHandshakeKey.Key, CircuitHandshakeKeyExpires)).EndLine();
        foreach (var address in Addresses)
        {
            writer.Keyword("address").Address(address).EndLine();
        }

        writer.Keyword("bandwidth").Argument(Bandwidth).EndLine();
        writer.Keyword("software").Argument(Software).EndLine();
        writer.Keyword("protocols");
        foreach (var argument in Protocols.ToString().Split(' '))
        {
            writer.Argument(argument);
        }

        writer.EndLine();
        RelayFamily.Write(writer, family);

        // The signature covers the prefix and every byte before its own value, "router-signature " included.
        writer.Keyword("router-signature").Argument(ReadOnlySpan<byte>.Empty);
        var prefix = SignatureDomains.RelayDescriptor;
        var message = new byte[prefix.Length + writer.Length];
        prefix.CopyTo(message);
        writer.Written.CopyTo(message.AsSpan(prefix.Length));
        writer.Base64(identity.Sign(message), leadingSpace: false).EndLine();
        var output = writer.ToArray();
        if (output.Length > RelayDescriptor.MaxSize)
        {
            throw new ArgumentException($"The descriptor would be {output.Length} bytes, over the {RelayDescriptor.MaxSize}-byte limit.");
        }

        return output;
    }

    private void Validate()
    {
        if (!DocumentValues.IsNickname(Nickname))
        {
            throw new ArgumentException("Nickname: a nickname is 1–19 ASCII letters and digits.");
        }

        DocumentWriter.RequireDocumentTime(Published, nameof(Published));
        DocumentWriter.RequireDocumentTime(LinkKeyExpires, nameof(LinkKeyExpires));
        DocumentWriter.RequireDocumentTime(CircuitHandshakeKeyExpires, nameof(CircuitHandshakeKeyExpires));
        if (LinkKeyExpires <= Published || CircuitHandshakeKeyExpires <= Published)
        {
            throw new ArgumentException("LinkKeyExpires, CircuitHandshakeKeyExpires: key certificates must expire after the descriptor is published.");
        }

        if (LinkKey.Key.Bytes.Length == 0 || CircuitHandshakeKey.Key.Bytes.Length == 0)
        {
            throw new ArgumentException("Both the link key and the circuit-handshake key are required.");
        }

        ArgumentNullException.ThrowIfNull(Addresses);
        if (Addresses.Count is 0 or > RelayDescriptor.MaxAddresses || Addresses.Distinct().Count() != Addresses.Count ||
            Addresses.Any(a => a.Address is null))
        {
            throw new ArgumentException($"Addresses: a relay lists 1 to {RelayDescriptor.MaxAddresses} distinct addresses.");
        }

        if (!DocumentValues.IsSoftware(Software))
        {
            throw new ArgumentException("Software: 1–64 characters of A–Z a–z 0–9 . _ + / -.");
        }

        ArgumentNullException.ThrowIfNull(Protocols);
    }
}
