using System.Net;
using System.Text;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Descriptors;
using HiddenPoint.DirectoryAuthority.Voting;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Time.Testing;
using static HiddenPoint.DirectoryAuthority.Tests.Fixtures;

namespace HiddenPoint.DirectoryAuthority.Tests;

/// <summary>
/// A malicious authority must not be able to put keys, addresses or a family of its choosing into a signed consensus:
/// honest votes are composed from descriptors the relay signed, and an entry is listed only when more than half of
/// the configured authorities voted it identically (descriptor digest and family included).
/// </summary>
public sealed class RelayEntryAgreementTests : IDisposable
{
    private static readonly DateTimeOffset s_now = Start;
    private static readonly VotingPeriod s_period = VotingPeriod.Next(s_now, TimeSpan.FromHours(1));
    private readonly AuthorityIdentityKey[] _keys = [.. Enumerable.Range(1, 5).Select(n => Authority((byte)n))];
    private readonly LinkKey _attackerLink = LinkKey.FromSeed(Seed(99, 0x66));

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }

        _attackerLink.Dispose();
    }

    [Fact]
    public void With_two_of_three_votes_the_malicious_one_cannot_choose_the_relays_keys()
    {
        // One authority is down; the two votes disagree about relay 1. Before the fix the tie went to the smallest
        // encoding, which the attacker picks with its nickname, so its link key was listed with the Guard flag.
        var votes = new[] { HonestVote(0, Descriptor(1, s_now)), ForgedVote(2) };
        var consensus = Signed(votes, authorityCount: 3, signers: [0, 2]);

        Assert.False(consensus.TryGetRelay(Relay(1).Id, out _));
        Assert.DoesNotContain(Base64(_attackerLink.Public.Key.Bytes), Encoding.ASCII.GetString(consensus.Document.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void A_one_one_one_split_after_a_relay_update_leaves_the_relay_out()
    {
        // The relay updated its descriptor between two authorities' uploads; the third authority forges an entry.
        var votes = new[]
        {
            HonestVote(0, Descriptor(1, s_now)),
            HonestVote(1, Descriptor(1, s_now.AddMinutes(1), ip: "127.1.0.11")),
            ForgedVote(2),
        };
        var consensus = Signed(votes, authorityCount: 3, signers: [0, 2]);

        Assert.False(consensus.TryGetRelay(Relay(1).Id, out _));
        Assert.DoesNotContain(Base64(_attackerLink.Public.Key.Bytes), Encoding.ASCII.GetString(consensus.Document.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_honest_votes_list_the_signed_entry_and_the_forged_vote_adds_no_flag()
    {
        var descriptor = Descriptor(1, s_now);
        var votes = new[] { HonestVote(0, descriptor), HonestVote(1, descriptor), ForgedVote(2) };
        var consensus = Signed(votes, authorityCount: 3, signers: [0, 1, 2]);

        Assert.True(consensus.TryGetRelay(Relay(1).Id, out var listed));
        Assert.Equal(RelayLinkKey(1).Public, listed.LinkKey);
        Assert.Equal([new RelayAddress(IPAddress.Parse("127.1.0.1"), 9001)], listed.Addresses);
        Assert.Equal("Relay1", listed.Nickname);
        // A relay known for minutes is not Stable, Guard or HSDir by the default thresholds: the forger's flags lose.
        Assert.Equal(RelayFlags.Fast | RelayFlags.Running | RelayFlags.Valid, listed.Flags);
        Assert.Equal(20u, listed.BandwidthWeight); // and its weight is capped while it is new
    }

    [Fact]
    public void Two_colluding_authorities_of_five_cannot_list_a_forged_entry_when_only_three_vote()
    {
        // Two of five are down; the two malicious ones agree on one forged entry. Two of the three votes cast is a
        // majority of the votes, but not of the five authorities, so the entry is left out.
        var votes = new[] { HonestVote(0, Descriptor(1, s_now)), ForgedVote(3), ForgedVote(4) };
        var consensus = Signed(votes, authorityCount: 5, signers: [0, 3, 4]);

        Assert.False(consensus.TryGetRelay(Relay(1).Id, out _));
    }

    [Fact]
    public void Entries_with_the_same_keys_but_different_descriptors_do_not_add_up()
    {
        // The forger copies the relay's real keys and addresses but names a descriptor nobody signed.
        var honest = HonestVote(0, Descriptor(1, s_now));
        var copied = honest.Relays[0];
        var forged = Vote(2, new RelayStatus(
            copied.Id, copied.Nickname, copied.Addresses, copied.LinkKey, copied.CircuitHandshakeKey, copied.Flags,
            copied.BandwidthWeight, DescriptorDigest.Of("no such descriptor"u8)));
        var consensus = Signed([honest, forged], authorityCount: 3, signers: [0, 2]);

        Assert.False(consensus.TryGetRelay(Relay(1).Id, out _));
    }

    [Fact]
    public void Every_authority_computes_the_same_bytes_from_split_votes()
    {
        var votes = new[]
        {
            HonestVote(0, Descriptor(1, s_now), Descriptor(2, s_now)),
            HonestVote(1, Descriptor(1, s_now.AddMinutes(1), ip: "127.1.0.11"), Descriptor(2, s_now)),
            ForgedVote(2),
        };
        var bodies = new[] { votes, [.. votes.Reverse()], [votes[1], votes[2], votes[0]] }
            .Select(order => ConsensusComputation.Compute(order, 3, s_period.ValidAfter).Body!)
            .ToArray();
        Assert.All(bodies, body => Assert.Equal(bodies[0], body));

        // Relay 2, held identically by the two honest authorities, is listed; relay 1, split three ways, is not.
        var consensus = Signed(votes, authorityCount: 3, signers: [0, 1]);
        Assert.True(consensus.TryGetRelay(Relay(2).Id, out _));
        Assert.False(consensus.TryGetRelay(Relay(1).Id, out _));
    }

    [Fact]
    public void Families_the_relays_signed_reach_the_consensus_and_are_read_as_mutual_declarations()
    {
        // Relays 1 and 2 name each other; relay 3 names relay 1, which does not name it back.
        var descriptors = new[]
        {
            Descriptor(1, s_now, family: [Relay(2).Id]),
            Descriptor(2, s_now, family: [Relay(1).Id]),
            Descriptor(3, s_now, family: [Relay(1).Id]),
        };
        var votes = new[] { HonestVote(0, descriptors), HonestVote(1, descriptors), HonestVote(2, descriptors) };
        Assert.All(votes, vote => Assert.Equal([Relay(2).Id], Listed(vote, 1).Family));

        var consensus = Signed(votes, authorityCount: 3, signers: [0, 1, 2]);
        var (one, two, three) = (Listed(consensus, 1), Listed(consensus, 2), Listed(consensus, 3));
        Assert.Equal([Relay(2).Id], one.Family);
        Assert.Equal([Relay(1).Id], two.Family);
        Assert.Equal([Relay(1).Id], three.Family);
        Assert.True(RelayFamily.AreFamily(one, two));
        Assert.False(RelayFamily.AreFamily(one, three));
        Assert.False(RelayFamily.AreFamily(two, three));
    }

    [Fact]
    public void Authorities_holding_descriptors_with_different_families_do_not_list_a_mixed_entry()
    {
        // The relay added relay 3 to its family between its uploads to authorities 0 and 1; authority 2 is down.
        var before = Descriptor(1, s_now, family: [Relay(2).Id]);
        var after = Descriptor(1, s_now.AddMinutes(1), family: [Relay(2).Id, Relay(3).Id]);
        var split = Signed([HonestVote(0, before), HonestVote(1, after)], authorityCount: 3, signers: [0, 1]);
        Assert.False(split.TryGetRelay(Relay(1).Id, out _));

        // With the third authority holding the newer descriptor too, that one is listed, family and all.
        var settled = Signed([HonestVote(0, before), HonestVote(1, after), HonestVote(2, after)], authorityCount: 3, signers: [0, 1, 2]);
        var listed = Listed(settled, 1);
        Assert.Equal(new[] { Relay(2).Id, Relay(3).Id }.OrderBy(id => id.Key.Bytes.ToArray(), s_byteOrder), listed.Family);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_vote_naming_the_right_descriptor_with_another_family_does_not_count_with_the_honest_copies(bool forgerFirst)
    {
        // The forger copies the honest entry, digest included, but lists the relay in an honest operator's family
        // (or, the other way round, drops the family the relay declared).
        var honest = HonestVote(0, Descriptor(1, s_now, family: [Relay(2).Id]));
        var copied = Listed(honest, 1);
        var forged = Vote(2, new RelayStatus(
            copied.Id, copied.Nickname, copied.Addresses, copied.LinkKey, copied.CircuitHandshakeKey, copied.Flags,
            copied.BandwidthWeight, copied.DescriptorDigest, [Relay(4).Id]));

        // Two votes of three authorities: one honest, one forged. Neither family is listed.
        Vote[] two = forgerFirst ? [forged, honest] : [honest, forged];
        Assert.False(Signed(two, authorityCount: 3, signers: [0, 2]).TryGetRelay(Relay(1).Id, out _));

        // With a second honest vote the signed family is listed, whatever order the votes come in.
        var second = HonestVote(1, Descriptor(1, s_now, family: [Relay(2).Id]));
        Vote[] three = forgerFirst ? [forged, honest, second] : [honest, second, forged];
        Assert.Equal([Relay(2).Id], Listed(Signed(three, authorityCount: 3, signers: [0, 1, 2]), 1).Family);
    }

    private static readonly Comparer<byte[]> s_byteOrder = Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y));

    private static RelayStatus Listed(NetworkStatus status, byte relay)
    {
        Assert.True(status.TryGetRelay(Relay(relay).Id, out var listed));
        return listed;
    }

    private static string Base64(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    // An honest authority: its vote is composed from the descriptors it accepted, so every entry names one.
    private Vote HonestVote(int voter, params byte[][] descriptors)
    {
        var store = new DescriptorStore(new DescriptorStoreOptions(), new FakeTimeProvider(s_now));
        foreach (var descriptor in descriptors)
        {
            Assert.True(store.Submit(descriptor, IPAddress.Loopback).IsAccepted);
        }

        var document = VoteComposer.Compose(store, _keys[voter], Entry(_keys[voter], (byte)(voter + 1)), s_period, new FlagThresholds(), [], s_now);
        return ParseVote(document, Pinned(), s_now);
    }

    // A malicious authority lists relay 1 with its own link key, another address, every flag, and a nickname that
    // sorts before the relay's own.
    private Vote ForgedVote(int voter)
    {
        var relay = Relay(1);
        return Vote(voter, new RelayStatus(
            relay.Id, "AAAA", [new RelayAddress(IPAddress.Parse("127.66.0.1"), 443)], _attackerLink.Public,
            CircuitHandshakeKey.FromSeed(Seed(99, 0x67)).Public,
            RelayFlags.Fast | RelayFlags.Guard | RelayFlags.HSDir | RelayFlags.Running | RelayFlags.Stable | RelayFlags.Valid,
            100_000, DescriptorDigest.Of("forged"u8)));
    }

    private Vote Vote(int voter, RelayStatus entry)
    {
        var document = new NetworkStatusBuilder
        {
            ValidAfter = s_period.ValidAfter,
            FreshUntil = s_period.FreshUntil,
            ValidUntil = s_period.ValidUntil,
            SharedRandomPreviousValue = Seed((byte)voter, 0x55),
            SharedRandomCurrentValue = Seed((byte)voter, 0x55),
            Authorities = [Entry(_keys[voter], (byte)(voter + 1))],
            Relays = [entry],
        }.BuildVote(_keys[voter]);
        return ParseVote(document, Pinned(), s_now);
    }

    private AuthorityId[] Pinned() => [.. _keys.Select(k => k.Id)];

    // The consensus as a client would take it: computed, signed by the given authorities, verified.
    private Consensus Signed(Vote[] votes, int authorityCount, int[] signers)
    {
        var result = ConsensusComputation.Compute(votes, authorityCount, s_period.ValidAfter);
        Assert.Equal(ConsensusFailure.None, result.Failure);
        var document = NetworkStatusBuilder.Assemble(result.Body!, signers.Select(i => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, result.Body!, _keys[i])));
        Assert.True(UnverifiedConsensus.TryParse(document, out var unverified, out var error), error.ToString());
        var check = unverified.VerifySignatures([.. _keys.Take(authorityCount).Select(k => k.Id)]);
        Assert.True(check.IsValid, check.ToString());
        return check.Value.CheckValidAt(s_period.ValidAfter, null).Value!;
    }
}
