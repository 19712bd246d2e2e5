using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Tests.Handshakes;

/// <summary>TEST-MATRIX RP-04: a CREATE2 replayed to the relay gets a fresh ephemeral key each time.</summary>
public sealed class Create2ReplayTests : IDisposable
{
    private const int KeyBytes = 256;
    private readonly RelayId _relayId = TestKeys.RandomIdentity();
    private readonly CircuitHandshakeKey _onionKey = CircuitHandshakeKey.Generate();

    public void Dispose() => _onionKey.Dispose();

    [Fact]
    public void RP04_Create2ReplayedAHundredTimes_GetsAFreshKeyEachTime_AndNoReplayedCircuitSharesTheVictimsKeys()
    {
        var server = new NtorV3Server(NtorV3Labels.Hpc, _relayId, _onionKey);
        var create2 = new byte[NtorV3Client.GetClientHandshakeLength(0)];
        Assert.True(NtorV3Client.TryStart(NtorV3Labels.Hpc, _relayId, _onionKey.Public, [], create2, out var victim, out _));
        using var victimScope = victim;

        // The victim's own circuit.
        Assert.True(server.TryAccept(create2, out var original, out _));
        var reply = new byte[NtorV3ServerRequest.GetServerHandshakeLength(0)];
        using var relayKeys = original.Respond([], reply);
        Assert.True(victim.TryFinish(reply, out var victimKeys, out _, out _));
        byte[] victimStream;
        using (victimKeys)
        {
            victimStream = TestKeys.ReadKeys(victimKeys, KeyBytes);
        }

        Assert.Equal(victimStream, TestKeys.ReadKeys(relayKeys, KeyBytes));

        // The same CREATE2 bytes a hundred times more: each is answered (the relay keeps no replay cache; it needs none),
        // with a new ephemeral key, so each replayed circuit's keys differ from the victim's and from each other.
        var replies = new HashSet<string> { Convert.ToHexString(reply) };
        var streams = new HashSet<string> { Convert.ToHexString(victimStream) };
        for (var replay = 0; replay < 100; replay++)
        {
            Assert.True(server.TryAccept(create2, out var request, out _));
            var replayReply = new byte[reply.Length];
            using var keys = request.Respond([], replayReply);
            Assert.True(replies.Add(Convert.ToHexString(replayReply.AsSpan(0, 32))), "an ephemeral key was used twice");
            Assert.True(streams.Add(Convert.ToHexString(TestKeys.ReadKeys(keys, KeyBytes))), "two circuits share keys");
        }

        Assert.Equal(101, streams.Count);
    }
}
