using HiddenPoint.Fuzz.Harnesses;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Fuzz;

/// <summary>Every harness, network-facing ones first (the order <c>fuzz/run.sh all</c> runs them in).</summary>
public static class HarnessCatalog
{
    /// <summary>Creates every harness, each with its own fixed keys.</summary>
    public static IReadOnlyList<Harness> All() =>
    [
        new CellHarness(),
        new RelayCellHarness(),
        new RelayMessageHarness("relay-message", "every relay command (first byte) and its message data", RelayMessageHarness.AllCommands),
        new CircuitHandshakeCellsHarness(),
        new NoiseHarness(),
        new NtorV3Harness(),
        new HsNtorHarness(),
        new ConsensusHarness(),
        new VoteHarness(),
        new RelayDescriptorHarness(),
        new HsDescriptorOuterHarness(),
        new HsDescriptorMiddleHarness(),
        new HsDescriptorInnerHarness(),
        new RelayMessageHarness("establish-intro", "ESTABLISH_INTRO data", RelayCommand.EstablishIntro),
        new RelayMessageHarness("intro-established", "INTRO_ESTABLISHED data", RelayCommand.IntroEstablished),
        new RelayMessageHarness("introduce", "INTRODUCE1, INTRODUCE2 and INTRODUCE_ACK data (first byte picks)",
            RelayCommand.Introduce1, RelayCommand.Introduce2, RelayCommand.IntroduceAck),
        new IntroducePlaintextHarness(),
        new RelayMessageHarness("rendezvous", "ESTABLISH_RENDEZVOUS, RENDEZVOUS_ESTABLISHED, RENDEZVOUS1 and RENDEZVOUS2 data (first byte picks)",
            RelayCommand.EstablishRendezvous, RelayCommand.RendezvousEstablished, RelayCommand.Rendezvous1, RelayCommand.Rendezvous2),
        new DirectoryHttpHarness(),
        new Ed25519CertificateHarness(),
        new MessagingFramesHarness(),
        new HiddenIdHarness(),
        new KeyFileHarness(),
        new BackupHeaderHarness(),
        new RelayConfigurationHarness(),
        new ClientConfigurationHarness(),
        new DirectoryConfigurationHarness(),
    ];

    /// <summary>The harness called <paramref name="name"/>, or null.</summary>
    public static Harness? Find(string name)
    {
        foreach (var harness in All())
        {
            if (harness.Name == name)
            {
                return harness;
            }
        }

        return null;
    }
}
