using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Time.Testing;
using static HiddenPoint.DirectoryAuthority.Tests.Fixtures;

namespace HiddenPoint.DirectoryAuthority.Tests;

/// <summary>
/// Three real authorities on loopback, rounds every 4 s on the real clock. Every wait is an awaited log event with a
/// generous bound, so a slow machine only makes the tests longer. The tests of this class run one after another.
/// </summary>
public sealed class ThreeAuthorityTests : IDisposable
{
    private const string Published = "ConsensusPublished";
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan s_roundBound = TimeSpan.FromSeconds(60);
    private static readonly string[] s_failedRound = ["NoConsensus", "NotPublished"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hpc-directory-three-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Three_authorities_publish_the_identical_consensus_and_vote_Running_only_relays_that_answer()
    {
        await using var network = new AuthorityNetwork(_root, 3, s_interval, o => o.ReachabilityTimeout = TimeSpan.FromSeconds(1));
        await using var answering = new LinkResponder(RelayLinkKey(1));
        var unreachablePort = LoopbackPorts.Unused();
        await network.StartAsync(0, 1, 2);

        var published = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var relay1 = Descriptor(1, published, ip: "127.0.0.1", port: answering.Port);
        var relay2 = Descriptor(2, published, ip: "127.0.0.1", port: unreachablePort);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await network.UploadAsync(i, relay1));
            Assert.Equal(HttpStatusCode.OK, await network.UploadAsync(i, relay2));
        }

        Assert.Equal(HttpStatusCode.BadRequest, await network.UploadAsync(0, "not a descriptor\n"u8.ToArray()));

        // A round whose reachability tests ran before the uploads lists neither relay, or lists them untested: wait
        // for the rounds until one lists relay 1 as Running. Relay 2 must never be Running in any of them.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(120);
        Consensus? agreed = null;
        byte[]? document = null;
        var rounds = 0;
        while (agreed is null)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"no agreed consensus listing relay 1 as Running after {rounds} rounds");
            var marks = network.Events.Select(e => e.Mark()).ToArray();
            await Task.WhenAll(network.Events.Select((e, i) => e.WaitAsync(marks[i], 1, s_roundBound, Published)));
            rounds++;
            var documents = await Task.WhenAll(Enumerable.Range(0, 3).Select(network.ConsensusAsync));
            foreach (var seen in documents)
            {
                var consensus = Verified(seen!, network.Pinned, out _);
                if (consensus.TryGetRelay(Relay(2).Id, out var silent))
                {
                    Assert.False(silent.Flags.HasFlag(RelayFlags.Running), "a relay whose link port is closed was voted Running");
                }
            }

            if (documents.All(d => d.AsSpan().SequenceEqual(documents[0])) &&
                Verified(documents[0]!, network.Pinned, out var signatures) is var candidate && signatures == 3 &&
                candidate.TryGetRelay(Relay(1).Id, out var listed) && listed.Flags.HasFlag(RelayFlags.Running))
            {
                agreed = candidate;
                document = documents[0];
            }
        }

        Assert.Equal(3, agreed.Authorities.Count);
        Assert.True(agreed.TryGetRelay(Relay(1).Id, out var relay));
        Assert.Equal(RelayFlags.Fast | RelayFlags.Guard | RelayFlags.HSDir | RelayFlags.Running | RelayFlags.Stable | RelayFlags.Valid, relay.Flags);
        Assert.True(agreed.TryGetRelay(Relay(2).Id, out var unreachable));
        Assert.Equal(RelayFlags.Fast | RelayFlags.Guard | RelayFlags.HSDir | RelayFlags.Stable | RelayFlags.Valid, unreachable.Flags);
        // Running needs a majority of votes, and each authority votes it only after its own handshake test.
        await answering.WaitForHandshakesAsync(2);

        // DIR-04: the unreachable relay is not Running within 2 rounds (here: in no round at all).
        Assert.InRange(rounds, 1, 30);

        var holder = new ConsensusHolder(network.Pinned, new FakeTimeProvider(DateTimeOffset.UtcNow));
        Assert.True(holder.Offer(document).Accepted);

        var descriptors = await network.DescriptorsAsync(1);
        Assert.Equal(relay1.Length + relay2.Length, descriptors.Length);
    }

    [Fact]
    public async Task With_one_authority_down_the_consensus_carries_two_of_three_signatures()
    {
        await using var network = new AuthorityNetwork(_root, 3, s_interval);
        await network.StartAsync(0, 1); // the third is configured everywhere but never answers

        var marks = network.Events.Select(e => e.Mark()).ToArray();
        await Task.WhenAll(network.Events.Take(2).Select((e, i) => e.WaitAsync(marks[i], 1, s_roundBound, Published)));
        var documents = await Task.WhenAll(network.ConsensusAsync(0), network.ConsensusAsync(1));
        Assert.Equal(documents[0], documents[1]);

        Assert.True(UnverifiedConsensus.TryParse(documents[0], out var unverified, out var error), error.ToString());
        Assert.Equal(2, unverified.Signatures.Count);
        Assert.DoesNotContain(unverified.Signatures, s => s.Authority == network.Pinned[2]);

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var holder = new ConsensusHolder(network.Pinned, clock);
        var offer = holder.Offer(documents[0]);
        Assert.True(offer.Accepted, offer.ToString());
        Assert.Equal((2, 2), (offer.ValidSignatures, offer.RequiredSignatures));
        Assert.True(holder.TryGetUsable(out var usable, out _));
        Assert.Equal(2, usable.Signers.Count);
    }

    [Fact]
    public async Task With_two_authorities_down_nothing_new_is_published_and_the_holder_keeps_the_last_until_the_grace_ends()
    {
        await using var network = new AuthorityNetwork(_root, 3, s_interval);
        await network.StartAsync(0, 1, 2);
        var mark = network.Events[0].Mark();
        await network.Events[0].WaitAsync(mark, 1, s_roundBound, Published);

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var holder = new ConsensusHolder(network.Pinned, clock);
        Assert.True(holder.Offer((await network.ConsensusAsync(0))!).Accepted);

        await Task.WhenAll(network.StopAsync(1), network.StopAsync(2));

        // The round under way when they stopped may still complete; from the first failed round on, nothing is
        // published. Take what the survivor serves then as the last consensus.
        mark = network.Events[0].Mark();
        await network.Events[0].WaitAsync(mark, 1, s_roundBound, s_failedRound);
        var last = (await network.ConsensusAsync(0))!;
        clock.SetUtcNow(DateTimeOffset.UtcNow);
        var offer = holder.Offer(last);
        Assert.True(offer.Accepted || offer.NotNewer, offer.ToString());
        Assert.Equal(last, holder.LatestDocument.ToArray());

        mark = network.Events[0].Mark();
        await network.Events[0].WaitAsync(mark, 2, s_roundBound, s_failedRound);
        Assert.Equal(0, network.Events[0].Count(mark, Published));
        Assert.Equal(last, await network.ConsensusAsync(0));
        Assert.Equal(ConsensusRefusal.NotNewer, holder.Offer(last).Refusal);

        // The holder's clock runs on, hours in an instant: usable until valid-until, then stale for the grace, then
        // the clear error.
        var held = holder.Latest!;
        clock.SetUtcNow(held.ValidUntil);
        Assert.True(holder.TryGetUsable(out _, out _));
        clock.SetUtcNow(held.ValidUntil + ConsensusValidity.DefaultGrace);
        Assert.True(holder.TryGetUsable(out var stale, out _));
        Assert.Same(held, stale);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(holder.TryGetUsable(out _, out var reason));
        Assert.Equal(ConsensusUnavailable.Expired, reason);
        var message = holder.Describe(reason);
        Assert.StartsWith("no usable consensus: the newest one held expired at ", message, StringComparison.Ordinal);
        Assert.Contains("+ 24 h grace", message, StringComparison.Ordinal);
        Assert.Equal(message, Assert.Throws<NoUsableConsensusException>(holder.GetUsable).Message);
    }

    private static Consensus Verified(byte[] document, AuthorityId[] pinned, out int signatures)
    {
        Assert.True(UnverifiedConsensus.TryParse(document, out var unverified, out var error), error.ToString());
        var check = unverified.VerifySignatures(pinned);
        Assert.True(check.IsValid, check.ToString());
        signatures = check.ValidSignatures;
        var timely = check.Value.CheckValidAt(DateTimeOffset.UtcNow, null);
        Assert.True(timely.IsUsable, timely.ToString());
        return timely.Value;
    }
}
