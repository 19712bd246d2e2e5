using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Network.Streams;

/// <summary>How a stream ended.</summary>
/// <param name="Reason">The END reason (the peer's, or the one this side sent); <see cref="EndReason.Destroy"/> when the circuit closed under it.</param>
/// <param name="ByPeer">True when the far end sent END (or its circuit closed); false when this side ended it.</param>
/// <param name="CircuitClosed">Why the circuit closed, when that is what ended the stream.</param>
public readonly record struct StreamEnd(EndReason Reason, bool ByPeer, CircuitCloseReason CircuitClosed = CircuitCloseReason.None);
