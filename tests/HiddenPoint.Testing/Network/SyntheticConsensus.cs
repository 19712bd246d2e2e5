using System.Net;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Testing.Network;

/// <summary>
/// Consensus documents built directly (no authorities), signed by one throwaway authority: relay entries with random
/// keys and chosen addresses, flags and weights, for path and guard tests that need many relays and no sockets.
/// </summary>
public static class SyntheticConsensus
{
    /// <summary>A relay entry with random keys at <paramref name="address"/>.</summary>
    public static RelayStatus Relay(string nickname, string address, RelayFlags flags, uint weight, ushort port = 9001) => new(
        new RelayId(Ed25519PublicKey.FromBytes(RandomNumberGenerator.GetBytes(32))),
        nickname,
        [new RelayAddress(IPAddress.Parse(address), port)],
        new LinkPublicKey(X25519PublicKey.FromBytes(RandomNumberGenerator.GetBytes(32))),
        new CircuitHandshakePublicKey(X25519PublicKey.FromBytes(RandomNumberGenerator.GetBytes(32))),
        flags,
        weight);

    /// <summary>Every flag a relay of a healthy test network carries.</summary>
    public const RelayFlags AllFlags = RelayFlags.Running | RelayFlags.Valid | RelayFlags.Fast | RelayFlags.Guard | RelayFlags.Stable | RelayFlags.HSDir;

    /// <summary>
    /// A consensus listing <paramref name="relays"/>, valid from <paramref name="validAfter"/> (the current hour when
    /// null) for 3 hours, fresh for 1, signed by a new authority whose identity is returned.
    /// </summary>
    public static (Consensus Consensus, byte[] Document, AuthorityId Signer) Build(IReadOnlyList<RelayStatus> relays, DateTimeOffset? validAfter = null, TimeSpan? fresh = null, TimeSpan? valid = null)
    {
        ArgumentNullException.ThrowIfNull(relays);
        using var authority = AuthorityIdentityKey.Generate();
        var now = DateTimeOffset.UtcNow;
        var start = validAfter ?? new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var document = Document(relays, [authority], [authority], start, fresh, valid);
        if (!NetworkStatusParser.TryParseConsensus(document, out var unverified, out var error))
        {
            throw new InvalidOperationException("The synthetic consensus does not parse: " + error);
        }

        var signed = unverified.VerifySignatures([authority.Id]);
        if (!signed.IsValid)
        {
            throw new InvalidOperationException("The synthetic consensus does not verify: " + signed);
        }

        var timely = signed.Value!.CheckValidAt(start + TimeSpan.FromMinutes(1));
        return timely.IsUsable ? (timely.Value!, document, authority.Id) : throw new InvalidOperationException("The synthetic consensus is not timely: " + timely);
    }

    /// <summary>
    /// The bytes of a consensus listing <paramref name="relays"/> and the authorities <paramref name="listed"/> (named
    /// auth0, auth1, …), signed by <paramref name="signing"/> only (a subset, to leave signatures missing), valid from
    /// <paramref name="validAfter"/> for 3 hours (or <paramref name="valid"/>), fresh for 1 (or <paramref name="fresh"/>).
    /// </summary>
    public static byte[] Document(
        IReadOnlyList<RelayStatus> relays, IReadOnlyList<AuthorityIdentityKey> listed, IReadOnlyList<AuthorityIdentityKey> signing, DateTimeOffset validAfter,
        TimeSpan? fresh = null, TimeSpan? valid = null)
    {
        ArgumentNullException.ThrowIfNull(relays);
        ArgumentNullException.ThrowIfNull(listed);
        ArgumentNullException.ThrowIfNull(signing);
        var builder = new NetworkStatusBuilder
        {
            ValidAfter = validAfter,
            FreshUntil = validAfter + (fresh ?? TimeSpan.FromHours(1)),
            ValidUntil = validAfter + (valid ?? TimeSpan.FromHours(3)),
            SharedRandomPreviousValue = new byte[32],
            SharedRandomCurrentValue = new byte[32],
            Authorities = [.. listed.Select((k, i) => new AuthorityEntry(k.Id, "auth" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), new RelayAddress(IPAddress.Loopback, (ushort)(7000 + i))))],
            Relays = [.. relays.OrderBy(r => Convert.ToHexString(r.Id.Key.Bytes), StringComparer.Ordinal)],
        };
        var body = builder.BuildBody(NetworkStatusKind.Consensus);
        return NetworkStatusBuilder.Assemble(body, [.. signing.Select(k => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, k))]);
    }
}
