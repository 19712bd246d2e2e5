using System.Net;
using HiddenPoint.DirectoryAuthority.Descriptors;
using HiddenPoint.DirectoryAuthority.Voting;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Time.Testing;
using static HiddenPoint.DirectoryAuthority.Tests.Fixtures;

namespace HiddenPoint.DirectoryAuthority.Tests;

public class DescriptorStoreTests
{
    private static readonly IPAddress s_source = IPAddress.Parse("127.9.0.1");

    private static (DescriptorStore Store, FakeTimeProvider Clock) NewStore(DescriptorStoreOptions? options = null)
    {
        var clock = new FakeTimeProvider(Start);
        return (new DescriptorStore(options ?? new DescriptorStoreOptions(), clock), clock);
    }

    [Fact]
    public void A_good_descriptor_is_accepted_and_held()
    {
        var (store, _) = NewStore();
        var result = store.Submit(Descriptor(1, Start), s_source);
        Assert.True(result.IsAccepted, result.Rejection.ToString());
        Assert.Equal(Relay(1).Id, result.Descriptor.Identity);
        Assert.Equal(1, store.Count);
        Assert.Equal(Start, store.Snapshot()[0].FirstSeen);
    }

    [Fact]
    public void Too_large_is_refused_before_parsing()
    {
        var (store, _) = NewStore(new DescriptorStoreOptions { MaxSize = 100 });
        Assert.Equal(DescriptorRejection.TooLarge, store.Submit(Descriptor(1, Start), s_source).Rejection);
        var (defaults, _) = NewStore();
        Assert.Equal(DescriptorRejection.TooLarge, defaults.Submit(new byte[RelayDescriptor.MaxSize + 1], s_source).Rejection);
    }

    [Fact]
    public void Malformed_carries_the_parse_error()
    {
        var (store, _) = NewStore();
        var result = store.Submit("hpc-relay-descriptor 2\n"u8, s_source);
        Assert.Equal(DescriptorRejection.Malformed, result.Rejection);
        Assert.Equal(DocumentErrorKind.UnsupportedVersion, result.ParseError.Kind);
        Assert.Equal(DescriptorRejection.Malformed, store.Submit([0xFF, 0x00, 0x0A], s_source).Rejection);
    }

    [Fact]
    public void A_tampered_descriptor_has_a_bad_signature()
    {
        var (store, _) = NewStore();
        var document = Descriptor(1, Start);
        var text = System.Text.Encoding.ASCII.GetString(document).Replace("bandwidth 500000", "bandwidth 900000", StringComparison.Ordinal);
        Assert.Equal(DescriptorRejection.BadSignature, store.Submit(System.Text.Encoding.ASCII.GetBytes(text), s_source).Rejection);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void A_well_signed_descriptor_with_a_wrong_key_certificate_has_a_bad_certificate()
    {
        var (store, _) = NewStore();
        var lines = System.Text.Encoding.ASCII.GetString(Descriptor(1, Start)).Split('\n');
        var link = Array.FindIndex(lines, l => l.StartsWith("link-key-cert ", StringComparison.Ordinal));
        var circuit = Array.FindIndex(lines, l => l.StartsWith("circuit-handshake-key-cert ", StringComparison.Ordinal));
        // The circuit-handshake certificate's signature under the link key's line: valid syntax, wrong signature.
        lines[link] = string.Join(' ', lines[link].Split(' ')[..3]) + " " + lines[circuit].Split(' ')[3];
        var text = string.Join('\n', lines);
        var signed = text[..(text.IndexOf("router-signature ", StringComparison.Ordinal) + "router-signature ".Length)];
        using var identity = Relay(1);
        var message = System.Text.Encoding.ASCII.GetBytes("hpc-relay-descriptor-signature\0" + signed);
        var signature = Convert.ToBase64String(identity.Sign(message)).TrimEnd('=');
        var document = System.Text.Encoding.ASCII.GetBytes(signed + signature + "\n");
        Assert.Equal(DescriptorRejection.BadCertificate, store.Submit(document, s_source).Rejection);
    }

    [Fact]
    public void DOC04_DescriptorNamingOneIdentityButSignedByAnother_IsRefusedAsBadSignature()
    {
        // TEST-MATRIX DOC-04: the identity in a descriptor is the key that must have signed it; a relay cannot publish
        // (or overwrite) a descriptor for an identity it does not hold.
        var (store, _) = NewStore();
        var text = System.Text.Encoding.ASCII.GetString(Descriptor(1, Start));
        var signed = text[..(text.IndexOf("router-signature ", StringComparison.Ordinal) + "router-signature ".Length)];
        using var impostor = Relay(2);
        var signature = Convert.ToBase64String(impostor.Sign(System.Text.Encoding.ASCII.GetBytes("hpc-relay-descriptor-signature\0" + signed))).TrimEnd('=');
        var forged = System.Text.Encoding.ASCII.GetBytes(signed + signature + "\n");

        Assert.Equal(DescriptorRejection.BadSignature, store.Submit(forged, s_source).Rejection);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void DOC04_DescriptorOver20000Bytes_IsRefusedUnread()
    {
        var (store, _) = NewStore();
        Assert.Equal(20_000, RelayDescriptor.MaxSize);
        Assert.Equal(DescriptorRejection.TooLarge, store.Submit(new byte[20_001], s_source).Rejection);
        var atTheLimit = new byte[20_000];
        atTheLimit[^1] = (byte)'\n';
        var read = store.Submit(atTheLimit, s_source); // read, and refused for what it is
        Assert.Equal(DescriptorRejection.Malformed, read.Rejection);
        Assert.Equal(DocumentErrorKind.InvalidCharacter, read.ParseError.Kind);
    }

    [Fact]
    public void Publishing_time_must_be_within_12_hours_ahead_and_24_hours_old()
    {
        var (store, _) = NewStore();
        Assert.Equal(DescriptorRejection.PublishedInFuture, store.Submit(Descriptor(1, Start.AddHours(12).AddSeconds(1)), s_source).Rejection);
        Assert.True(store.Submit(Descriptor(2, Start.AddHours(12)), s_source).IsAccepted);
        Assert.Equal(DescriptorRejection.TooOld, store.Submit(Descriptor(3, Start.AddHours(-24).AddSeconds(-1)), s_source).Rejection);
        Assert.True(store.Submit(Descriptor(4, Start.AddHours(-24)), s_source).IsAccepted);
    }

    [Fact]
    public void Expired_keys_are_refused()
    {
        var (store, _) = NewStore();
        var result = store.Submit(Descriptor(1, Start.AddHours(-2), keyLifetime: TimeSpan.FromHours(1)), s_source);
        Assert.Equal(DescriptorRejection.KeysExpired, result.Rejection);
    }

    [Fact]
    public void Only_a_newer_descriptor_replaces_the_held_one_and_first_seen_is_kept()
    {
        var (store, clock) = NewStore();
        Assert.True(store.Submit(Descriptor(1, Start), s_source).IsAccepted);
        Assert.Equal(DescriptorRejection.NotNewer, store.Submit(Descriptor(1, Start), s_source).Rejection);
        Assert.Equal(DescriptorRejection.NotNewer, store.Submit(Descriptor(1, Start.AddMinutes(-1)), s_source).Rejection);
        clock.SetUtcNow(Start.AddHours(1));
        Assert.True(store.Submit(Descriptor(1, Start.AddHours(1)), s_source).IsAccepted);
        var held = Assert.Single(store.Snapshot());
        Assert.Equal(Start.AddHours(1), held.Descriptor.Published);
        Assert.Equal(Start, held.FirstSeen);
    }

    [Fact]
    public void Each_source_address_is_rate_limited_per_window()
    {
        var (store, clock) = NewStore(new DescriptorStoreOptions { UploadsPerWindow = 2, RateWindow = TimeSpan.FromMinutes(10) });
        Assert.True(store.Submit(Descriptor(1, Start), s_source).IsAccepted);
        Assert.True(store.Submit(Descriptor(2, Start), s_source).IsAccepted);
        Assert.Equal(DescriptorRejection.RateLimited, store.Submit(Descriptor(3, Start), s_source).Rejection);
        // Junk counts too, and another source has its own allowance.
        Assert.Equal(DescriptorRejection.RateLimited, store.Submit("x"u8, s_source).Rejection);
        Assert.True(store.Submit(Descriptor(3, Start), IPAddress.Parse("127.9.0.2")).IsAccepted);
        clock.SetUtcNow(Start.AddMinutes(10));
        Assert.True(store.Submit(Descriptor(4, Start), s_source).IsAccepted);
    }

    [Fact]
    public void The_rate_limiter_tracks_a_bounded_number_of_sources_and_makes_room_for_a_newcomer()
    {
        // A full table used to refuse every new source; now it forgets sources to make room, and stays bounded.
        var (store, clock) = NewStore(new DescriptorStoreOptions { MaxTrackedSources = 2 });
        Assert.True(store.Submit(Descriptor(1, Start), IPAddress.Parse("127.9.0.1")).IsAccepted);
        Assert.True(store.Submit(Descriptor(2, Start), IPAddress.Parse("127.9.0.2")).IsAccepted);
        Assert.True(store.Submit(Descriptor(3, Start), IPAddress.Parse("127.9.0.3")).IsAccepted);
        Assert.InRange(store.TrackedSources, 1, 2);
        clock.SetUtcNow(Start.AddMinutes(10));
        Assert.True(store.Submit(Descriptor(4, Start), IPAddress.Parse("127.9.0.4")).IsAccepted);
        Assert.InRange(store.TrackedSources, 1, 2);
    }

    [Fact]
    public void A_full_store_of_reachable_relays_refuses_new_relays_but_takes_updates()
    {
        var (store, clock) = NewStore(new DescriptorStoreOptions { MaxRelays = 1 });
        Assert.True(store.Submit(Descriptor(1, Start), s_source).IsAccepted);
        store.RecordReachable([Relay(1).Id]);
        Assert.Equal(DescriptorRejection.StoreFull, store.Submit(Descriptor(2, Start), s_source).Rejection);
        clock.SetUtcNow(Start.AddMinutes(1));
        Assert.True(store.Submit(Descriptor(1, Start.AddMinutes(1)), s_source).IsAccepted);
        Assert.True(store.IsReachable(Relay(1).Id));
    }

    [Fact]
    public void Descriptors_past_the_age_limit_are_dropped()
    {
        var (store, _) = NewStore();
        Assert.True(store.Submit(Descriptor(1, Start), s_source).IsAccepted);
        Assert.True(store.Submit(Descriptor(2, Start.AddHours(1)), s_source).IsAccepted);
        Assert.Equal(0, store.Prune(Start.AddHours(24)));
        Assert.Equal(1, store.Prune(Start.AddHours(24).AddSeconds(1)));
        Assert.Equal(Relay(2).Id, Assert.Single(store.Snapshot()).Descriptor.Identity);
        Assert.Equal(1, store.Prune(Start.AddHours(25).AddSeconds(1)));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void A_full_store_gives_an_expired_relays_place_to_a_new_one_even_if_it_was_reachable()
    {
        var (store, clock) = NewStore(new DescriptorStoreOptions { MaxRelays = 1 });
        Assert.True(store.Submit(Descriptor(1, Start), s_source).IsAccepted);
        store.RecordReachable([Relay(1).Id]);
        clock.SetUtcNow(Start.AddHours(24).AddSeconds(1));
        Assert.True(store.Submit(Descriptor(2, clock.GetUtcNow()), s_source).IsAccepted);
        Assert.Equal(Relay(2).Id, Assert.Single(store.Snapshot()).Descriptor.Identity);
    }

    [Fact]
    public void A_full_store_gives_a_never_reachable_relays_place_to_a_new_one()
    {
        var (store, _) = NewStore(new DescriptorStoreOptions { MaxRelays = 2 });
        Assert.True(store.Submit(Descriptor(1, Start), s_source).IsAccepted);
        Assert.True(store.Submit(Descriptor(2, Start), s_source).IsAccepted);
        store.RecordReachable([Relay(1).Id]);
        Assert.True(store.Submit(Descriptor(3, Start), s_source).IsAccepted);
        Assert.Equal(
            new[] { Relay(1).Id, Relay(3).Id }.Order(IdentityOrder.Instance),
            store.Snapshot().Select(d => d.Descriptor.Identity).Order(IdentityOrder.Instance));
    }

    [Fact]
    public void Identities_flooded_into_a_full_store_neither_displace_a_reachable_relay_nor_lock_out_a_new_one()
    {
        // Self-signed descriptors under fresh keys, more than the store holds, from many sources; then a new relay.
        var (store, clock) = NewStore(new DescriptorStoreOptions { MaxRelays = 10 });
        Assert.True(store.Submit(Descriptor(1, Start), s_source).IsAccepted);
        store.RecordReachable([Relay(1).Id]);
        for (var n = 2; n < 60; n++)
        {
            var result = store.Submit(Descriptor((byte)n, Start, ip: "127.66.0." + n), IPAddress.Parse("10.0.0." + n));
            Assert.True(result.IsAccepted, result.Rejection.ToString());
        }

        Assert.Equal(10, store.Count);
        Assert.True(store.IsReachable(Relay(1).Id));
        Assert.True(store.Submit(Descriptor(200, Start), IPAddress.Parse("192.0.2.200")).IsAccepted);
        Assert.Contains(store.Snapshot(), d => d.Descriptor.Identity == Relay(200).Id);
        clock.SetUtcNow(Start.AddMinutes(5));
        Assert.True(store.Submit(Descriptor(1, clock.GetUtcNow()), IPAddress.Parse("192.0.2.1")).IsAccepted);
        Assert.Equal(10, store.Count);
    }

    [Fact]
    public void The_snapshot_is_shared_until_the_store_changes()
    {
        var (store, _) = NewStore();
        Assert.True(store.Submit(Descriptor(1, Start), s_source).IsAccepted);
        var first = store.Snapshot();
        Assert.Same(first, store.Snapshot());
        Assert.Equal(0, store.Prune(Start));
        Assert.Same(first, store.Snapshot());

        Assert.True(store.Submit(Descriptor(2, Start), s_source).IsAccepted);
        var second = store.Snapshot();
        Assert.NotSame(first, second);
        Assert.Equal(2, second.Count);
        Assert.Single(first);
        Assert.Equal(2, store.Prune(Start.AddHours(25)));
        Assert.NotSame(second, store.Snapshot());
        Assert.Empty(store.Snapshot());
    }

    [Fact]
    public void One_byte_uploads_from_one_IPv6_64_do_not_rate_limit_a_new_IPv4_source()
    {
        // 100,000 one-byte uploads, each from another address of one /64: they are one source, which the limit stops
        // after its allowance, and the table holds one entry for them.
        var (store, _) = NewStore();
        var random = new Random(11);
        var address = IPAddress.Parse("2001:db8:5:6::").GetAddressBytes();
        for (var i = 0; i < 100_000; i++)
        {
            random.NextBytes(address.AsSpan(8));
            var result = store.Submit("x"u8, new IPAddress(address));
            Assert.Equal(i < store.Options.UploadsPerWindow ? DescriptorRejection.Malformed : DescriptorRejection.RateLimited, result.Rejection);
        }

        Assert.Equal(1, store.TrackedSources);
        var fromIpv4 = store.Submit(Descriptor(1, Start), IPAddress.Parse("192.0.2.7"));
        Assert.True(fromIpv4.IsAccepted, fromIpv4.Rejection.ToString());
        Assert.Equal(DescriptorRejection.RateLimited, store.Submit(Descriptor(2, Start), IPAddress.Parse("2001:db8:5:6:ffff::1")).Rejection);
        Assert.True(store.Submit(Descriptor(2, Start), IPAddress.Parse("2001:db8:5:7::1")).IsAccepted);
    }

    [Fact]
    public void A_flood_of_sources_keeps_the_table_bounded_and_a_limited_source_limited()
    {
        var (store, _) = NewStore(new DescriptorStoreOptions { MaxTrackedSources = 1_000, UploadsPerWindow = 3 });
        var limited = IPAddress.Parse("198.51.100.1");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(DescriptorRejection.Malformed, store.Submit("x"u8, limited).Rejection);
        }

        Assert.Equal(DescriptorRejection.RateLimited, store.Submit(Descriptor(1, Start), limited).Rejection);
        var address = IPAddress.Parse("2001:db8::").GetAddressBytes();
        for (var i = 0; i < 50_000; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(address.AsSpan(4), i);
            Assert.Equal(DescriptorRejection.Malformed, store.Submit("x"u8, new IPAddress(address)).Rejection);
            Assert.InRange(store.TrackedSources, 1, 1_000);
        }

        // Sources below their limit were forgotten to make room; the one at its limit was kept, and is still stopped.
        Assert.Equal(DescriptorRejection.RateLimited, store.Submit(Descriptor(1, Start), limited).Rejection);
        Assert.True(store.Submit(Descriptor(1, Start), IPAddress.Parse("192.0.2.8")).IsAccepted);
    }

    [Fact]
    public void At_most_two_relays_per_IP_address_are_listed_preferring_bandwidth()
    {
        var (store, _) = NewStore();
        Assert.True(store.Submit(Descriptor(1, Start, "127.5.0.1", bandwidth: 1000), s_source).IsAccepted);
        Assert.True(store.Submit(Descriptor(2, Start, "127.5.0.1", bandwidth: 3000), s_source).IsAccepted);
        Assert.True(store.Submit(Descriptor(3, Start, "127.5.0.1", bandwidth: 2000), s_source).IsAccepted);
        Assert.True(store.Submit(Descriptor(4, Start, "127.5.0.2", bandwidth: 10), s_source).IsAccepted);
        Assert.Equal(4, store.Count);
        var listed = store.Listable(Start).Select(d => d.Descriptor.Nickname).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["Relay2", "Relay3", "Relay4"], listed);
    }

    [Fact]
    public void Descriptors_past_the_age_limit_are_not_listed()
    {
        var (store, _) = NewStore();
        Assert.True(store.Submit(Descriptor(1, Start), s_source).IsAccepted);
        Assert.Single(store.Listable(Start.AddHours(24)));
        Assert.Empty(store.Listable(Start.AddHours(24).AddSeconds(1)));
    }

    [Fact]
    public void A_composed_vote_lists_flags_by_thresholds_and_verifies()
    {
        var (store, _) = NewStore();
        Assert.True(store.Submit(Descriptor(1, Start, bandwidth: 500_000), s_source).IsAccepted);
        Assert.True(store.Submit(Descriptor(2, Start, bandwidth: 50_000), s_source).IsAccepted);
        using var key = Authority(1);
        var period = VotingPeriod.Next(Start.AddMinutes(30), TimeSpan.FromHours(1));
        Assert.Equal(Start.AddHours(1), period.ValidAfter);
        var document = VoteComposer.Compose(store, key, Entry(key, 1), period, new FlagThresholds(), [new("CircuitWindow", 800)], Start.AddMinutes(30));
        var vote = ParseVote(document, [key.Id], Start.AddMinutes(30));
        Assert.Equal(2, vote.Relays.Count);
        Assert.True(vote.TryGetRelay(Relay(1).Id, out var fast));
        Assert.Equal(RelayFlags.Fast | RelayFlags.Running | RelayFlags.Valid, fast.Flags); // known 30 minutes: not Stable
        Assert.Equal(20u, fast.BandwidthWeight); // known 30 minutes: its claim of 500 kB/s is capped
        Assert.True(vote.TryGetRelay(Relay(2).Id, out var slow));
        Assert.Equal(RelayFlags.Running | RelayFlags.Valid, slow.Flags);
        Assert.Equal(800, vote.Parameters.Get(NetworkParameter.CircuitWindow));
        Assert.Contains(new KeyValuePair<string, int>("FlagFastMinBandwidth", 100_000), vote.Parameters.All);

        var testnet = ParseVote(VoteComposer.Compose(store, key, Entry(key, 1), period, FlagThresholds.Testnet, [], Start.AddMinutes(30)), [key.Id], Start.AddMinutes(30));
        Assert.True(testnet.TryGetRelay(Relay(2).Id, out var all));
        Assert.Equal(RelayFlags.Fast | RelayFlags.Guard | RelayFlags.HSDir | RelayFlags.Running | RelayFlags.Stable | RelayFlags.Valid, all.Flags);
        Assert.True(testnet.TryGetRelay(Relay(1).Id, out var uncapped));
        Assert.Equal(500u, uncapped.BandwidthWeight);
    }

    [Fact]
    public void DIR03_fifty_new_relays_claiming_ten_megabytes_each_weigh_no_more_than_their_capped_share_and_are_no_guards()
    {
        // Ten relays known for two days claim 1 MB/s each; fifty relays first seen today claim 10 MB/s each. Each
        // uploads from its own address (one address's uploads are rate-limited).
        static IPAddress SourceOf(int n) => IPAddress.Parse($"127.9.{n}.1");
        var (store, clock) = NewStore();
        var known = Enumerable.Range(1, 10).ToList();
        var newcomers = Enumerable.Range(11, 50).ToList();
        foreach (var n in known)
        {
            Assert.True(store.Submit(Descriptor((byte)n, Start, bandwidth: 1_000_000), SourceOf(n)).IsAccepted);
        }

        var now = Start.AddDays(2);
        clock.SetUtcNow(now);
        foreach (var n in known)
        {
            Assert.True(store.Submit(Descriptor((byte)n, now, bandwidth: 1_000_000), SourceOf(n)).IsAccepted);
        }

        foreach (var n in newcomers)
        {
            Assert.True(store.Submit(Descriptor((byte)n, now, bandwidth: 10_000_000), SourceOf(n)).IsAccepted);
        }

        using var key = Authority(1);
        var period = VotingPeriod.Next(now, TimeSpan.FromHours(1));
        var vote = ParseVote(VoteComposer.Compose(store, key, Entry(key, 1), period, new FlagThresholds(), [], now), [key.Id], now);
        var weights = vote.Relays.ToDictionary(r => r.Id, r => (double)r.BandwidthWeight);
        var newShare = newcomers.Sum(n => weights[Relay((byte)n).Id]) / weights.Values.Sum();

        // Capped at 20 kB/s each: 1,000 of 11,000, where their claims would have made them 50,000 of 60,000.
        Assert.All(newcomers, n => Assert.Equal(20.0, weights[Relay((byte)n).Id]));
        Assert.All(known, n => Assert.Equal(1000.0, weights[Relay((byte)n).Id]));
        Assert.True(newShare <= 50 * 20 / 11_000.0 + 1e-9, $"the new relays hold {newShare:P1} of the weight");
        Assert.All(vote.Relays.Where(r => newcomers.Any(n => Relay((byte)n).Id == r.Id)), r => Assert.False(r.Flags.HasFlag(RelayFlags.Guard)));
    }

    private sealed class IdentityOrder : IComparer<Crypto.Keys.RelayId>
    {
        public static IdentityOrder Instance { get; } = new();

        public int Compare(Crypto.Keys.RelayId x, Crypto.Keys.RelayId y) => x.Key.Bytes.SequenceCompareTo(y.Key.Bytes);
    }
}
