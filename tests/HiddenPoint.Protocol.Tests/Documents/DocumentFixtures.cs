using System.Net;
using System.Text;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Protocol.Tests.Documents;

/// <summary>Deterministic keys and documents for the document tests.</summary>
internal static class DocumentFixtures
{
    public static readonly DateTimeOffset Published = new(2026, 11, 28, 7, 30, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset ValidAfter = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    public static byte[] Seed(int domain, int index)
    {
        // Index and domain sit in middle bytes: X25519 clamping clears the low bits of byte 0, which would make
        // distinct seeds give the same key.
        var seed = new byte[32];
        BitConverter.TryWriteBytes(seed.AsSpan(4), index);
        seed[16] = (byte)domain;
        return seed;
    }

    public static RelayIdentityKey RelayIdentity(int index = 0) => RelayIdentityKey.FromSeed(Seed(1, index));

    public static AuthorityIdentityKey Authority(int index) => AuthorityIdentityKey.FromSeed(Seed(2, index));

    public static LinkPublicKey LinkKey(int index = 0)
    {
        using var key = LinkKeyOf(index);
        return key.Public;
    }

    public static LinkKey LinkKeyOf(int index) => Crypto.Keys.LinkKey.FromSeed(Seed(3, index));

    public static CircuitHandshakePublicKey CircuitKey(int index = 0)
    {
        using var key = CircuitHandshakeKey.FromSeed(Seed(4, index));
        return key.Public;
    }

    public static RelayAddress Address(string text)
    {
        Assert.True(RelayAddress.TryParse(text, out var address), text);
        return address;
    }

    public static ProtocolSupport Protocols() => new(
    [
        new ProtocolVersions("Relay", 0b1110),
        new ProtocolVersions("Link", 0b10),
        new ProtocolVersions("HsDir", 0b10 | (1UL << 5)),
    ]);

    public static RelayDescriptorBuilder DescriptorBuilder(IReadOnlyList<RelayId>? family = null) => new()
    {
        Nickname = "Relay1",
        Published = Published,
        LinkKey = LinkKey(),
        LinkKeyExpires = Published.AddDays(30),
        CircuitHandshakeKey = CircuitKey(),
        CircuitHandshakeKeyExpires = Published.AddDays(7),
        Addresses = [Address("127.1.0.1:9001"), Address("[2001:db8::1]:9001")],
        Bandwidth = 1_250_000,
        Software = "hpc-relay/0.1.0",
        Protocols = Protocols(),
        Family = family ?? [],
    };

    public static byte[] Descriptor()
    {
        using var identity = RelayIdentity();
        using var other = RelayIdentity(7);
        return DescriptorBuilder([other.Id]).Sign(identity);
    }

    public static AuthorityEntry AuthorityEntry(AuthorityIdentityKey key, int index) =>
        new(key.Id, $"auth{index}", Address($"127.0.0.{index + 1}:7000"));

    /// <summary>
    /// Relays with random (fixed-seed) identities; public keys only, as a consensus holds them, and a descriptor
    /// digest, which only a vote carries.
    /// </summary>
    public static List<RelayStatus> Relays(int count, int seed = 1)
    {
        var random = new Random(seed);
        var relays = new List<RelayStatus>(count);
        var bytes = new byte[32];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            var id = new RelayId(Ed25519PublicKey.FromBytes(bytes));
            random.NextBytes(bytes);
            var link = new LinkPublicKey(X25519PublicKey.FromBytes(bytes));
            random.NextBytes(bytes);
            var circuit = new CircuitHandshakePublicKey(X25519PublicKey.FromBytes(bytes));
            var addresses = i % 3 == 0
                ? new[] { new RelayAddress(new IPAddress([127, (byte)(i >> 8), (byte)i, 1]), 9001), new RelayAddress(IPAddress.Parse($"2001:db8::{i:x}"), 443) }
                : [new RelayAddress(new IPAddress([127, (byte)(i >> 8), (byte)i, 1]), (ushort)(9000 + (i % 100)))];
            var flags = RelayFlags.Running | RelayFlags.Valid | (i % 2 == 0 ? RelayFlags.Fast : 0) |
                (i % 4 == 0 ? RelayFlags.Guard | RelayFlags.Stable : 0) | (i % 5 == 0 ? RelayFlags.HSDir : 0);
            // The digest is derived, not drawn, so the documents' other values stay what they always were.
            var digest = DescriptorDigest.Of(id.Key.Bytes);
            relays.Add(new RelayStatus(id, $"r{i}", addresses, link, circuit, flags, (uint)random.Next(1, 100_000), digest));
        }

        return relays;
    }

    public static NetworkStatusBuilder StatusBuilder(IReadOnlyList<AuthorityEntry> authorities, IReadOnlyList<RelayStatus> relays) => new()
    {
        ValidAfter = ValidAfter,
        FreshUntil = ValidAfter.AddHours(1),
        ValidUntil = ValidAfter.AddHours(3),
        Parameters = new NetworkParameters(
        [
            new("CircuitWindow", 500),
            new("HsDirReplicas", 2),
            new("FutureThing", -7),
        ]),
        SharedRandomPreviousValue = Enumerable.Range(0, 32).Select(i => (byte)(i * 5)).ToArray(),
        SharedRandomCurrentValue = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray(),
        Authorities = authorities,
        Relays = relays,
    };

    /// <summary>
    /// A consensus listing authorities 0..<paramref name="authorityCount"/>-1, signed by those in <paramref name="signers"/>.
    /// </summary>
    public static byte[] Consensus(int authorityCount, int[] signers, int relayCount = 5, DateTimeOffset? validAfter = null)
    {
        var keys = Enumerable.Range(0, Math.Max(authorityCount, signers.DefaultIfEmpty(0).Max() + 1)).Select(Authority).ToArray();
        try
        {
            var builder = StatusBuilder(keys.Take(authorityCount).Select(AuthorityEntry).ToArray(), Relays(relayCount));
            if (validAfter is { } start)
            {
                builder = new NetworkStatusBuilder
                {
                    ValidAfter = start,
                    FreshUntil = start.AddHours(1),
                    ValidUntil = start.AddHours(3),
                    Parameters = builder.Parameters,
                    SharedRandomPreviousValue = builder.SharedRandomPreviousValue,
                    SharedRandomCurrentValue = builder.SharedRandomCurrentValue,
                    Authorities = builder.Authorities,
                    Relays = builder.Relays,
                };
            }

            var body = builder.BuildBody(NetworkStatusKind.Consensus);
            return NetworkStatusBuilder.Assemble(body, signers.Select(i => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, keys[i])));
        }
        finally
        {
            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }

    public static AuthorityId[] Pinned(params int[] indexes)
    {
        var ids = new AuthorityId[indexes.Length];
        for (var i = 0; i < indexes.Length; i++)
        {
            using var key = Authority(indexes[i]);
            ids[i] = key.Id;
        }

        return ids;
    }

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes);

    public static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>Replaces the first line starting with <paramref name="linePrefix"/> with <paramref name="replacement"/> (null removes it).</summary>
    public static byte[] ReplaceLine(byte[] document, string linePrefix, string? replacement)
    {
        var lines = Text(document).Split('\n').ToList();
        var index = lines.FindIndex(l => l.StartsWith(linePrefix, StringComparison.Ordinal));
        Assert.True(index >= 0, $"no line starts with '{linePrefix}'");
        if (replacement is null)
        {
            lines.RemoveAt(index);
        }
        else
        {
            lines[index] = replacement;
        }

        return Bytes(string.Join('\n', lines));
    }

    /// <summary>Removes every line starting with <paramref name="linePrefix"/>.</summary>
    public static byte[] RemoveLines(byte[] document, string linePrefix)
    {
        var lines = Text(document).Split('\n').ToList();
        Assert.True(lines.RemoveAll(l => l.StartsWith(linePrefix, StringComparison.Ordinal)) > 0, linePrefix);
        return Bytes(string.Join('\n', lines));
    }

    /// <summary>Inserts <paramref name="line"/> before the first line starting with <paramref name="beforePrefix"/>.</summary>
    public static byte[] InsertBefore(byte[] document, string beforePrefix, string line)
    {
        var lines = Text(document).Split('\n').ToList();
        var index = lines.FindIndex(l => l.StartsWith(beforePrefix, StringComparison.Ordinal));
        Assert.True(index >= 0, $"no line starts with '{beforePrefix}'");
        lines.Insert(index, line);
        return Bytes(string.Join('\n', lines));
    }

    public static string LineStartingWith(byte[] document, string prefix) =>
        Text(document).Split('\n').First(l => l.StartsWith(prefix, StringComparison.Ordinal));

    public static int LineNumberOf(byte[] document, string prefix) =>
        Text(document).Split('\n').ToList().FindIndex(l => l.StartsWith(prefix, StringComparison.Ordinal)) + 1;
}
