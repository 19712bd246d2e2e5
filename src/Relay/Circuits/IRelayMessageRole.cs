using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// A part of the relay that answers relay messages addressed to this relay: the introduction point, the rendezvous
/// point, and the directory streams (HSDir store and fetch, directory cache). The circuit engine parses the relay cell
/// and hands it to the role that owns its command (see <see cref="RelayMessageRouting"/>); the role decodes the
/// message data itself. Calls run on the circuit's reactor, one at a time, and must not block: long work goes to
/// another task, which answers later through <see cref="RelayCircuitContext.Circuit"/>.
/// </summary>
public interface IRelayMessageRole
{
    /// <summary>A relay message for this relay on <paramref name="circuit"/>.</summary>
    /// <returns>False when the message breaks the protocol: the engine then closes the circuit.</returns>
    bool OnMessage(RelayCircuitContext circuit, RelayCellView cell);

    /// <summary>The circuit closed (for any reason); called once for every circuit the role saw a message on.</summary>
    void OnCircuitClosed(RelayCircuitContext circuit);
}

/// <summary>Which role answers which relay command on a relay.</summary>
public static class RelayMessageRouting
{
    /// <summary>Commands for the introduction point.</summary>
    public static RelayCommandSet IntroductionPoint { get; } =
        RelayCommandSet.Of(RelayCommand.EstablishIntro, RelayCommand.Introduce1);

    /// <summary>Commands for the rendezvous point.</summary>
    public static RelayCommandSet RendezvousPoint { get; } =
        RelayCommandSet.Of(RelayCommand.EstablishRendezvous, RelayCommand.Rendezvous1);

    /// <summary>Commands for directory streams: HSDir store and fetch, and the directory cache.</summary>
    public static RelayCommandSet DirectoryStreams { get; } = RelayCommandSet.Of(
        RelayCommand.DescriptorStore,
        RelayCommand.DescriptorFetch,
        RelayCommand.DirectoryRequest,
        RelayCommand.Data,
        RelayCommand.End);
}
