using HiddenPoint.Protocol.Documents;
using static HiddenPoint.Protocol.Tests.Documents.DocumentFixtures;

namespace HiddenPoint.Protocol.Tests.Documents;

/// <summary>
/// A 10,000-relay consensus signed by 9 authorities builds, parses and verifies to the same relays. How fast is
/// measured by bench/HiddenPoint.Benchmarks (ConsensusBenchmarks), not here.
/// </summary>
[Collection("Heavy document tests")] // alone, beside the mutation run
public class ConsensusScaleTests
{
    private const int RelayCount = 10_000;
    private const int AuthorityCount = 9;

    [Fact]
    public void Ten_thousand_relay_consensus_builds_parses_and_verifies()
    {
        var keys = Enumerable.Range(0, AuthorityCount).Select(Authority).ToArray();
        try
        {
            var relays = Relays(RelayCount, seed: 42);
            var builder = StatusBuilder(keys.Select(AuthorityEntry).ToArray(), relays);
            var body = builder.BuildBody(NetworkStatusKind.Consensus);
            var document = NetworkStatusBuilder.Assemble(body, keys.Select(k => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, k)));

            Assert.True(NetworkStatusParser.TryParseConsensus(document, out var unverified, out var error), error.ToString());
            var check = unverified.VerifySignatures(Pinned([.. Enumerable.Range(0, AuthorityCount)]));
            Assert.True(check.IsValid);
            var consensus = check.Value.CheckValidAt(ValidAfter, held: null).Value;

            Assert.NotNull(consensus);
            Assert.Equal(RelayCount, consensus.Relays.Count);
            Assert.Equal(AuthorityCount, consensus.Signers.Count);
            foreach (var relay in relays)
            {
                Assert.True(consensus.TryGetRelay(relay.Id, out var listed));
                Assert.Equal(relay.LinkKey, listed.LinkKey);
            }
        }
        finally
        {
            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }
}
