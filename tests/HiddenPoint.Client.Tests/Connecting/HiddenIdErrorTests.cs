using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Client.Connecting;
using HiddenPoint.Client.Tests.HiddenPoints;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Tests.Connecting;

/// <summary>Connects that fail before any circuit: the hidden-id and the consensus.</summary>
public sealed class HiddenIdErrorTests
{
    [Theory]
    [InlineData("", HiddenIdError.BadLength)]
    [InlineData("abc.hpc", HiddenIdError.BadLength)]
    [InlineData("UPPER", HiddenIdError.BadLength)]
    public async Task A_malformed_hidden_id_is_a_typed_error_naming_the_parse_step(string hiddenId, HiddenIdError expected)
    {
        var error = await Assert.ThrowsAsync<ConnectException>(() => Connector(new NoConsensus()).ConnectAsync(hiddenId));

        Assert.Equal(ConnectStep.ParseHiddenId, error.Step);
        Assert.Equal(ConnectFailure.MalformedHiddenId, error.Failure);
        Assert.Equal(expected, error.HiddenIdError);
    }

    [Fact]
    public async Task A_hidden_id_with_a_changed_character_fails_its_checksum()
    {
        using var identity = HiddenPointIdentityKey.Generate();
        var text = identity.IdentityPublicKey.ToHiddenId().ToString().ToCharArray();
        text[0] = text[0] == 'a' ? 'b' : 'a';

        var error = await Assert.ThrowsAsync<ConnectException>(() => Connector(new NoConsensus()).ConnectAsync(new string(text)));

        Assert.Equal(ConnectFailure.MalformedHiddenId, error.Failure);
        Assert.Equal(HiddenIdError.BadChecksum, error.HiddenIdError);
        Assert.DoesNotContain(new string(text), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_usable_consensus_a_well_formed_hidden_id_fails_at_the_consensus_step()
    {
        using var identity = HiddenPointIdentityKey.Generate();

        var error = await Assert.ThrowsAsync<ConnectException>(() => Connector(new NoConsensus()).ConnectAsync(identity.IdentityPublicKey.ToHiddenId().ToString()));

        Assert.Equal(ConnectStep.Consensus, error.Step);
        Assert.Equal(ConnectFailure.NoConsensus, error.Failure);
    }

    private static HiddenPointConnector Connector(IConsensusSource consensus) =>
        new(new UnusedCircuitProvider(), consensus, Options.Create(new ConnectOptions()), TimeProvider.System, NullLogger<HiddenPointConnector>.Instance);

    private sealed class NoConsensus : IConsensusSource
    {
        public ReadOnlyMemory<byte> LatestDocument => ReadOnlyMemory<byte>.Empty;

        public bool TryGetUsable([NotNullWhen(true)] out Consensus? consensus, out ConsensusUnavailable reason)
        {
            consensus = null;
            reason = ConsensusUnavailable.NoneYet;
            return false;
        }
    }
}
