using System.Net;
using System.Net.Sockets;
using System.Text;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Hosting;
using HiddenPoint.DirectoryAuthority.Voting;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static HiddenPoint.DirectoryAuthority.Tests.Fixtures;

namespace HiddenPoint.DirectoryAuthority.Tests;

/// <summary>Per-endpoint body limits, the signer check made before a vote is read or parsed, and the request caps.</summary>
public sealed class EndpointLimitTests : IDisposable
{
    private static readonly DateTimeOffset s_now = Start.AddMinutes(50);
    private static readonly VotingPeriod s_period = VotingPeriod.Next(s_now, TimeSpan.FromHours(1));
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hpc-directory-limits-" + Guid.NewGuid().ToString("N"));
    private readonly AuthorityIdentityKey _peer = Authority(2);
    private readonly AuthorityIdentityKey _stranger = Authority(9);

    public void Dispose()
    {
        _peer.Dispose();
        _stranger.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void The_gate_caps_requests_in_all_and_per_source_counting_an_IPv6_64_as_one_source()
    {
        var gate = new RequestGate(maxInFlight: 3, maxPerSource: 2);
        Assert.Equal(GateRefusal.None, gate.TryEnter(IPAddress.Parse("2001:db8::1"), out var first));
        Assert.Equal(GateRefusal.None, gate.TryEnter(IPAddress.Parse("2001:db8::2"), out var second));
        Assert.Equal(GateRefusal.SourceBusy, gate.TryEnter(IPAddress.Parse("2001:db8::ffff:3"), out var none));
        Assert.Null(none);
        Assert.Equal(GateRefusal.None, gate.TryEnter(IPAddress.Parse("192.0.2.1"), out var third));
        Assert.Equal(GateRefusal.Busy, gate.TryEnter(IPAddress.Parse("192.0.2.2"), out _));
        Assert.Equal(3, gate.InFlight);

        first!.Dispose();
        first.Dispose(); // a second dispose frees nothing more
        Assert.Equal(2, gate.InFlight);
        Assert.Equal(GateRefusal.None, gate.TryEnter(IPAddress.Parse("2001:db8::4"), out var fourth));
        second!.Dispose();
        third!.Dispose();
        fourth!.Dispose();
        Assert.Equal(0, gate.InFlight);
    }

    [Fact]
    public void The_vote_limit_follows_the_number_of_relays_an_authority_holds()
    {
        Assert.Equal((64 * 1024) + (4_000 * 3_483), DirectoryLimits.VoteBody(4_000));
        Assert.Equal(NetworkStatus.MaxSize, DirectoryLimits.VoteBody(20_000));

        // The longest entry a vote can hold is what the limit counts per relay.
        var addresses = Enumerable.Range(0, RelayStatus.MaxAddresses)
            .Select(i => new RelayAddress(IPAddress.Parse($"2001:1db8:1234:5678:9abc:def0:1234:{0x5670 + i:x4}"), 65535)).ToArray();
        using var relay = Relay(1);
        var family = Enumerable.Range(0, RelayFamily.MaxMembers).Select(i =>
        {
            using var member = Relay((byte)(100 + i));
            return member.Id;
        }).ToArray();
        var longest = new RelayStatus(
            relay.Id, "N123456789012345678", addresses, RelayLinkKey(1).Public, CircuitHandshakeKey.FromSeed(Seed(1, 0x30)).Public,
            RelayFlags.Fast | RelayFlags.Guard | RelayFlags.HSDir | RelayFlags.Running | RelayFlags.Stable | RelayFlags.Valid,
            uint.MaxValue, DescriptorDigest.Of("d"u8), family);
        var empty = VoteWith(_peer, s_period.ValidAfter, []);
        var one = VoteWith(_peer, s_period.ValidAfter, [longest]);
        Assert.Equal(DirectoryLimits.VoteEntryLength, one.Length - empty.Length);
    }

    [Fact]
    public void A_vote_is_refused_from_its_first_lines_unless_a_configured_authority_sends_it_for_the_pending_period()
    {
        using var state = NewState(out _);
        state.BeginPeriod(s_period);

        // A stranger's vote, whatever follows its first lines, is refused for its signer before any parse.
        var stranger = WithJunkAfterHeader(VoteWith(_stranger, s_period.ValidAfter, []));
        Assert.Equal(VoteHeaderStatus.Read, VoteHeader.TryRead(stranger, out var header));
        Assert.Equal(VoteAcceptance.BadSignature, state.AdmitVote(header));
        Assert.Equal(VoteAcceptance.BadSignature, state.AddVote(stranger));

        // A configured authority's vote for another period: refused for its period, again from the first lines.
        var late = WithJunkAfterHeader(VoteWith(_peer, s_period.ValidAfter.AddHours(1), []));
        Assert.Equal(VoteHeaderStatus.Read, VoteHeader.TryRead(late, out header));
        Assert.Equal(VoteAcceptance.WrongPeriod, state.AdmitVote(header));
        Assert.Equal(VoteAcceptance.WrongPeriod, state.AddVote(late));

        // The peer's real vote is read on, parsed, verified and held; after that the first lines say it is held.
        var real = VoteWith(_peer, s_period.ValidAfter, []);
        Assert.Equal(VoteHeaderStatus.Read, VoteHeader.TryRead(real, out header));
        Assert.Equal(VoteAcceptance.Accepted, state.AdmitVote(header));
        Assert.Equal(VoteAcceptance.Accepted, state.AddVote(real));
        Assert.Equal(VoteAcceptance.AlreadyHeld, state.AdmitVote(header));
        Assert.Equal(VoteAcceptance.Accepted, state.AddVote(real));
        Assert.Equal(VoteAcceptance.Malformed, state.AddVote(WithJunkAfterHeader(real)));
    }

    [Fact]
    public void A_signature_is_checked_on_its_own_line_and_a_replay_costs_nothing()
    {
        using var state = NewState(out _);
        state.BeginPeriod(s_period);
        state.AddVote(VoteWith(_peer, s_period.ValidAfter, []));
        var body = state.ComputeConsensus().Body!;
        var line = SignatureLine(NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, _peer));
        Assert.Equal(SignatureAcceptance.Accepted, state.AddSignature(line));
        Assert.Equal(SignatureAcceptance.Accepted, state.AddSignature(line));
        Assert.Equal(2, state.SignersHeld().Count);

        Assert.Equal(SignatureAcceptance.BadSignature, state.AddSignature(SignatureLine(NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, _stranger))));
        Assert.Equal(SignatureAcceptance.BadSignature, state.AddSignature(SignatureLine(NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body.AsSpan(1), _peer))));
        Assert.Equal(SignatureAcceptance.Malformed, state.AddSignature(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(line).Replace(" ", "  ", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task The_HTTP_endpoints_apply_their_own_limits_and_check_the_voter_first()
    {
        var port = LoopbackPorts.Unused();
        var folder = NewAuthorityFolder();
        var clock = new FakeTimeProvider(s_now);
        var app = DirectoryHost.Build(Options(folder, "127.0.0.1:" + port), clock, logging => logging.ClearProviders());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await app.StartAsync();
        try
        {
            var state = app.Services.GetRequiredService<AuthorityState>();
            var own = state.BeginPeriod(s_period);
            async Task<(HttpStatusCode Status, string Body)> Post(string path, byte[] body)
            {
                using var content = new ByteArrayContent(body);
                using var response = await http.PostAsync(new Uri($"http://127.0.0.1:{port}{path}"), content);
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
            }

            // A stranger's vote is answered from its first lines, whatever the rest holds.
            Assert.Equal((HttpStatusCode.BadRequest, "BadSignature\n"), await Post("/hpc/vote", WithJunkAfterHeader(VoteWith(_stranger, s_period.ValidAfter, []))));
            Assert.Equal((HttpStatusCode.Conflict, "WrongPeriod\n"), await Post("/hpc/vote", VoteWith(_peer, s_period.ValidAfter.AddHours(1), [])));
            Assert.Equal((HttpStatusCode.OK, "already held\n"), await Post("/hpc/vote", own));
            Assert.Equal((HttpStatusCode.OK, "accepted\n"), await Post("/hpc/vote", VoteWith(_peer, s_period.ValidAfter, [])));
            Assert.Equal(2, state.VotersHeld().Count);

            // Each endpoint's own body limit: one byte over is refused.
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Post("/hpc/signature", new byte[DirectoryLimits.SignatureBody + 1])).Status);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Post("/hpc/descriptor", new byte[DirectoryLimits.DescriptorBody + 1])).Status);
            Assert.Equal(HttpStatusCode.BadRequest, (await Post("/hpc/descriptor", new byte[DirectoryLimits.DescriptorBody])).Status);

            // The listing is written from the store's snapshot.
            Assert.True(state.Store.Submit(Descriptor(1, s_now), IPAddress.Loopback).IsAccepted);
            Assert.True(state.Store.Submit(Descriptor(2, s_now), IPAddress.Loopback).IsAccepted);
            var listing = await http.GetByteArrayAsync(new Uri($"http://127.0.0.1:{port}/hpc/descriptors"));
            Assert.Equal(state.Store.Snapshot().SelectMany(d => d.Descriptor.Document.ToArray()).ToArray(), listing);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static byte[] SignatureLine(DirectorySignature signature) => Encoding.ASCII.GetBytes(
        "directory-signature " + signature.Authority.Key + " " + Convert.ToBase64String(signature.Signature).TrimEnd('=') + "\n");

    // The vote's first lines, then bytes no parser accepts: only a check made before the full parse can answer for
    // its signer or period.
    private static byte[] WithJunkAfterHeader(byte[] vote)
    {
        var text = Encoding.ASCII.GetString(vote);
        var cut = text.IndexOf('\n', text.IndexOf("\nauthority ", StringComparison.Ordinal) + 1) + 1;
        return [.. vote.AsSpan(0, cut), .. new byte[1000], (byte)'\n'];
    }

    private static byte[] VoteWith(AuthorityIdentityKey voter, DateTimeOffset validAfter, IReadOnlyList<RelayStatus> relays) => new NetworkStatusBuilder
    {
        ValidAfter = validAfter,
        FreshUntil = validAfter.AddHours(1),
        ValidUntil = validAfter.AddHours(3),
        SharedRandomPreviousValue = new byte[NetworkStatus.SharedRandomLength],
        SharedRandomCurrentValue = new byte[NetworkStatus.SharedRandomLength],
        Authorities = [Entry(voter, 2)],
        Relays = relays,
    }.BuildVote(voter);

    private AuthorityState NewState(out string folder)
    {
        folder = NewAuthorityFolder();
        return new AuthorityState(Options(folder, "127.0.0.1:7000"), new FakeTimeProvider(s_now));
    }

    private string NewAuthorityFolder()
    {
        var folder = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        using var key = Authority(1);
        KeyFile.Write(key, Path.Combine(folder, AuthorityState.KeyFileName));
        return folder;
    }

    private AuthorityOptions Options(string folder, string listen) => new()
    {
        DataDirectory = folder,
        Nickname = "auth1",
        Listen = listen,
        Authorities = [new PeerAuthorityOptions { Nickname = "auth2", Address = "127.0.0.2:7000", Identity = _peer.Id.ToString() }],
    };
}
