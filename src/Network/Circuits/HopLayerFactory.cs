using HiddenPoint.Crypto.Cgo;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// Checks the reply that adds a hop to a circuit (the data of EXTENDED2 or RENDEZVOUS2) and makes the hop's layer from
/// it; null when the reply does not verify (the circuit then closes). Runs on the circuit's reactor, so that the hop is
/// in place before the next cell is read; it must not block beyond the handshake's own work.
/// </summary>
/// <param name="reply">The message's data, valid only during the call.</param>
/// <returns>The new hop's layer, owned by the circuit from then on; or null.</returns>
public delegate CgoClientHop? HopLayerFactory(ReadOnlySpan<byte> reply);
