using HiddenPoint.Crypto.Noise;
using HiddenPoint.Protocol.Cells;

namespace HiddenPoint.Network.Links;

/// <summary>
/// What a link connects, which fixes its Noise protocol and the cell commands each side accepts. The initiator
/// announces it in the one clear byte that precedes the handshake (docs/network.md).
/// </summary>
public enum LinkKind : byte
{
    /// <summary>A client to its guard: <c>Noise_NK</c>; the client stays anonymous.</summary>
    ClientToRelay = 1,

    /// <summary>A relay to a relay: <c>Noise_XK</c>; both sides prove their link keys.</summary>
    RelayToRelay = 2,
}

/// <summary>The link kinds a listener accepts.</summary>
[Flags]
public enum AcceptedLinkKinds
{
    /// <summary>None (every handshake is refused).</summary>
    None = 0,

    /// <summary>Links from clients.</summary>
    ClientToRelay = 1,

    /// <summary>Links from relays.</summary>
    RelayToRelay = 2,

    /// <summary>Both, as a relay accepts.</summary>
    All = ClientToRelay | RelayToRelay,
}

internal static class LinkKinds
{
    public static bool IsDefined(byte value) => value is (byte)LinkKind.ClientToRelay or (byte)LinkKind.RelayToRelay;

    public static NoiseProtocol Protocol(LinkKind kind) =>
        kind == LinkKind.RelayToRelay ? NoiseProtocol.RelayToRelay : NoiseProtocol.ClientToRelay;

    public static bool IsAccepted(AcceptedLinkKinds accepted, LinkKind kind) =>
        kind == LinkKind.RelayToRelay
            ? (accepted & AcceptedLinkKinds.RelayToRelay) != 0
            : (accepted & AcceptedLinkKinds.ClientToRelay) != 0;

    /// <summary>The cell commands this side accepts from its peer on a link of this kind.</summary>
    public static CellCommandSet Accepted(LinkKind kind, LinkSide side) => kind switch
    {
        LinkKind.RelayToRelay => LinkStates.RelayFromRelay,
        _ => side == LinkSide.Initiator ? LinkStates.ClientFromRelay : LinkStates.RelayFromClient,
    };
}
