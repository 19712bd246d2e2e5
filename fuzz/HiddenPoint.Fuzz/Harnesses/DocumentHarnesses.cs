using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>Fixed keys and seed documents for the directory-document harnesses.</summary>
internal static class DocumentFixture
{
    public static readonly DateTimeOffset Published = new(2026, 12, 1, 7, 30, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset ValidAfter = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    public static readonly AuthorityIdentityKey[] Authorities =
        [AuthorityIdentityKey.FromSeed(FixedKeys.Seed(9, 0)), AuthorityIdentityKey.FromSeed(FixedKeys.Seed(9, 1)), AuthorityIdentityKey.FromSeed(FixedKeys.Seed(9, 2))];

    public static readonly AuthorityId[] Pinned = [.. Authorities.Select(a => a.Id)];

    public static byte[] Descriptor(int index, bool withFamily)
    {
        using var identity = RelayIdentityKey.FromSeed(FixedKeys.Seed(10, (byte)index));
        using var other = RelayIdentityKey.FromSeed(FixedKeys.Seed(10, 200));
        using var link = LinkKey.FromSeed(FixedKeys.Seed(11, (byte)index));
        using var circuit = CircuitHandshakeKey.FromSeed(FixedKeys.Seed(12, (byte)index));
        return new RelayDescriptorBuilder
        {
            Nickname = $"Relay{index}",
            Published = Published,
            LinkKey = link.Public,
            LinkKeyExpires = Published.AddDays(30),
            CircuitHandshakeKey = circuit.Public,
            CircuitHandshakeKeyExpires = Published.AddDays(7),
            Addresses = [new RelayAddress(new IPAddress([127, 1, 0, (byte)(index + 1)]), 9001), new RelayAddress(IPAddress.Parse("2001:db8::1"), 9001)],
            Bandwidth = 1_250_000,
            Software = "hpc-relay/0.1.0",
            Protocols = new ProtocolSupport([new ProtocolVersions("Relay", 0b1110), new ProtocolVersions("Link", 0b10), new ProtocolVersions("HsDir", 0b10)]),
            Family = withFamily ? [other.Id] : [],
        }.Sign(identity);
    }

    public static NetworkStatusBuilder Status(int relays, int authorities = 3)
    {
        var statuses = new List<RelayStatus>();
        for (var i = 0; i < relays; i++)
        {
            using var identity = RelayIdentityKey.FromSeed(FixedKeys.Seed(10, (byte)i));
            using var link = LinkKey.FromSeed(FixedKeys.Seed(11, (byte)i));
            using var circuit = CircuitHandshakeKey.FromSeed(FixedKeys.Seed(12, (byte)i));
            var flags = RelayFlags.Running | RelayFlags.Valid | (i % 2 == 0 ? RelayFlags.Fast | RelayFlags.Guard | RelayFlags.Stable : RelayFlags.HSDir);
            statuses.Add(new RelayStatus(
                identity.Id, $"r{i}", [new RelayAddress(new IPAddress([127, 1, 0, (byte)(i + 1)]), 9001)], link.Public, circuit.Public, flags,
                (uint)(1000 * (i + 1)), DescriptorDigest.Of(identity.Id.Key.Bytes)));
        }

        return new NetworkStatusBuilder
        {
            ValidAfter = ValidAfter,
            FreshUntil = ValidAfter.AddHours(1),
            ValidUntil = ValidAfter.AddHours(3),
            Parameters = new NetworkParameters([new("CircuitWindow", 500), new("FutureThing", -7)]),
            SharedRandomPreviousValue = Samples.Bytes(32, 5),
            SharedRandomCurrentValue = Samples.Bytes(32, 7),
            Authorities = [.. Authorities.Take(authorities).Select((a, i) => new AuthorityEntry(a.Id, $"auth{i}", new RelayAddress(new IPAddress([127, 0, 0, (byte)(i + 1)]), 7000)))],
            Relays = statuses,
        };
    }

    public static byte[] Consensus(int relays)
    {
        var body = Status(relays).BuildBody(NetworkStatusKind.Consensus);
        return NetworkStatusBuilder.Assemble(body, Authorities.Select(a => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, a)));
    }

    public static byte[] Vote(int relays) => Status(relays, authorities: 1).BuildVote(Authorities[0]);
}

/// <summary>A relay descriptor (FZ-07, C tor's <c>fuzz-descriptor</c>): parsed, then its signature checked.</summary>
internal sealed class RelayDescriptorHarness : Harness
{
    public override string Name => "relay-descriptor";

    public override string Description => "relay descriptor (what relays upload to the authorities), then its signature check";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (RelayDescriptorParser.TryParse(input, out var descriptor, out _))
        {
            _ = descriptor.VerifySignature();
        }
    }

    public override IEnumerable<byte[]> Seeds()
    {
        yield return DocumentFixture.Descriptor(0, withFamily: false);
        yield return DocumentFixture.Descriptor(1, withFamily: true);
        yield return "hpc-relay-descriptor 1\n"u8.ToArray();
    }
}

/// <summary>A consensus (FZ-08, C tor's <c>fuzz-consensus</c>): parsed, then its signatures checked against the fixture's authorities.</summary>
internal sealed class ConsensusHarness : Harness
{
    public override string Name => "consensus";

    public override string Description => "consensus document, then its signature check";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (NetworkStatusParser.TryParseConsensus(input, out var consensus, out _))
        {
            _ = consensus.VerifySignatures(DocumentFixture.Pinned);
        }
    }

    public override IEnumerable<byte[]> Seeds()
    {
        yield return DocumentFixture.Consensus(1);
        yield return DocumentFixture.Consensus(4);
        yield return "hpc-consensus 1\n"u8.ToArray();
    }
}

/// <summary>
/// A vote (FZ-08): the authority's header reader (<see cref="VoteHeader.TryRead"/>, which decides whether to read the
/// rest of an upload), then the whole vote and its signature.
/// </summary>
internal sealed class VoteHarness : Harness
{
    public override string Name => "vote";

    public override string Description => "vote document: the upload header reader, then the vote and its signature check";

    public override void Run(ReadOnlySpan<byte> input)
    {
        _ = VoteHeader.TryRead(input, out _);
        if (NetworkStatusParser.TryParseVote(input, out var vote, out _))
        {
            _ = vote.VerifySignature(DocumentFixture.Pinned);
        }
    }

    public override IEnumerable<byte[]> Seeds()
    {
        yield return DocumentFixture.Vote(1);
        yield return DocumentFixture.Vote(4);
        yield return "hpc-vote 1\n"u8.ToArray();
    }
}
