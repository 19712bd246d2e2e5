using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.DirectoryAuthority.Tests;

internal static class Fixtures
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    public static AuthorityIdentityKey Authority(byte n) => AuthorityIdentityKey.FromSeed(Seed(n, 0xA0));

    public static RelayIdentityKey Relay(byte n) => RelayIdentityKey.FromSeed(Seed(n, 0x10));

    public static AuthorityEntry Entry(AuthorityIdentityKey key, byte n) =>
        new(key.Id, "auth" + n, new RelayAddress(IPAddress.Parse("127.0.0." + n), 7000));

    public static byte[] Seed(byte n, byte tag)
    {
        var seed = new byte[32];
        seed[0] = tag;
        seed[1] = n;
        return seed;
    }

    // The digest stands for the descriptor the entry was copied from: the same relay and nickname give the same one.
    public static RelayStatus Status(byte n, RelayFlags flags, uint weight, string? nickname = null) =>
        new(Relay(n).Id, nickname ?? "Relay" + n, [new RelayAddress(IPAddress.Parse("127.1.0." + n), 9001)],
            LinkKey.FromSeed(Seed(n, 0x20)).Public, CircuitHandshakeKey.FromSeed(Seed(n, 0x30)).Public, flags, weight,
            DescriptorDigest.Of(System.Text.Encoding.ASCII.GetBytes("descriptor of relay " + n + " named " + (nickname ?? "Relay" + n))));

    public static LinkKey RelayLinkKey(byte n) => LinkKey.FromSeed(Seed(n, 0x20));

    public static byte[] Descriptor(
        byte n, DateTimeOffset published, string ip = "", uint bandwidth = 500_000, TimeSpan? keyLifetime = null, ushort port = 9001,
        IReadOnlyList<RelayId>? family = null)
    {
        using var identity = Relay(n);
        var lifetime = keyLifetime ?? TimeSpan.FromDays(30);
        return new RelayDescriptorBuilder
        {
            Nickname = "Relay" + n,
            Published = published,
            LinkKey = LinkKey.FromSeed(Seed(n, 0x20)).Public,
            LinkKeyExpires = published + lifetime,
            CircuitHandshakeKey = CircuitHandshakeKey.FromSeed(Seed(n, 0x30)).Public,
            CircuitHandshakeKeyExpires = published + lifetime,
            Addresses = [new RelayAddress(IPAddress.Parse(ip.Length > 0 ? ip : "127.1.0." + n), port)],
            Bandwidth = bandwidth,
            Software = "hpc-relay/0.1.0",
            Protocols = new ProtocolSupport([new ProtocolVersions("HsDir", 0b10), new ProtocolVersions("Link", 0b10), new ProtocolVersions("Relay", 0b110)]),
            Family = family ?? [],
        }.Sign(identity);
    }

    public static Vote ParseVote(byte[] document, IReadOnlyCollection<AuthorityId> pinned, DateTimeOffset now)
    {
        Assert.True(UnverifiedVote.TryParse(document, out var unverified, out var error), error.ToString());
        var signed = unverified.VerifySignature(pinned);
        Assert.True(signed.IsValid, signed.ToString());
        var timely = signed.Value.CheckValidAt(now);
        Assert.True(timely.IsUsable, timely.ToString());
        return timely.Value;
    }
}
