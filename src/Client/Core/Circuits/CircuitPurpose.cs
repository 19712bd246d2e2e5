namespace HiddenPoint.Client.Circuits;

/// <summary>
/// What a circuit is built for. The purpose decides the path rules: directory fetches go one hop to a guard, general
/// circuits take three hops from the guard set, and every hidden-point purpose runs through the persisted layer-2
/// guards (vanguards-lite, proposal 333) so that circuits to points an adversary names cannot walk down to the guard.
/// </summary>
public enum CircuitPurpose
{
    /// <summary>A one-hop circuit to a guard acting as directory cache (BEGIN_DIR).</summary>
    Directory = 1,

    /// <summary>A three-hop circuit with no fixed last hop.</summary>
    General = 2,

    /// <summary>To a hidden-point directory named by the ring: descriptor upload (host) or fetch (client).</summary>
    HsDir = 3,

    /// <summary>The host's circuit to one of its introduction points, kept open for ESTABLISH_INTRO and INTRODUCE2.</summary>
    HostIntroduction = 4,

    /// <summary>The client's circuit to an introduction point named in a descriptor, for INTRODUCE1.</summary>
    ClientIntroduction = 5,

    /// <summary>The client's circuit whose last hop it chose as rendezvous point.</summary>
    ClientRendezvous = 6,

    /// <summary>The host's circuit to the rendezvous point a client named, for RENDEZVOUS1.</summary>
    HostRendezvous = 7,
}
