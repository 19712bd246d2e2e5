using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.Limits;

namespace HiddenPoint.Testing;

/// <summary>
/// Relays in this process on loopback (<see cref="TestRelay"/>) and one consensus that lists them all, set on each
/// directly: what circuits are built through, without authorities.
/// </summary>
public sealed class RelayNetwork : IAsyncDisposable
{
    private RelayNetwork(IReadOnlyList<TestRelay> relays, Consensus consensus)
    {
        Relays = relays;
        Consensus = consensus;
    }

    /// <summary>The relays, by index.</summary>
    public IReadOnlyList<TestRelay> Relays { get; }

    /// <summary>The consensus every relay holds.</summary>
    public Consensus Consensus { get; }

    /// <summary>Relay <paramref name="index"/>.</summary>
    public TestRelay this[int index] => Relays[index];

    /// <summary>
    /// Starts <paramref name="relayCount"/> relays with engine options <paramref name="configure"/> sets;
    /// <paramref name="admission"/> may give a relay a real admission control (by index) instead of one that admits
    /// everything; <paramref name="realRoles"/> runs the relays' own hidden-point roles. Each relay's logs are captured.
    /// </summary>
    public static async Task<RelayNetwork> StartAsync(
        int relayCount,
        Action<RelayEngineOptions>? configure = null,
        Func<int, IAddressAdmission?>? admission = null,
        bool realRoles = false)
    {
        var relays = new List<TestRelay>();
        for (var i = 0; i < relayCount; i++)
        {
            var relay = new TestRelay(i, configure, admission?.Invoke(i), realRoles);
            relays.Add(relay);
            await relay.StartAsync().ConfigureAwait(false);
        }

        return new RelayNetwork(relays, Publish(relays));
    }

    /// <summary>Builds a consensus listing <paramref name="relays"/> (started ones) and gives it to each.</summary>
    public static Consensus Publish(IReadOnlyList<TestRelay> relays)
    {
        ArgumentNullException.ThrowIfNull(relays);
        var consensus = TestConsensus.Build([.. relays.Select(r => r.Status)]);
        foreach (var relay in relays)
        {
            relay.Consensus.Value = consensus;
        }

        return consensus;
    }

    /// <summary>Relay <paramref name="index"/>'s entry in the consensus.</summary>
    public RelayStatus StatusOf(int index) =>
        Consensus.TryGetRelay(Relays[index].Keys.Id, out var status) ? status : throw new InvalidOperationException($"Relay {index} is not listed.");

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var relay in Relays)
        {
            await relay.DisposeAsync().ConfigureAwait(false);
        }
    }
}
