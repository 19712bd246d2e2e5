using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Relay.Keys;

/// <summary>
/// The keys the relay answers with at one moment: the current link and circuit-handshake keys, and the previous ones
/// while their overlap lasts (clients may still hold a consensus that lists them). Immutable; the store swaps it.
/// </summary>
/// <param name="LinkKey">The current Noise static key.</param>
/// <param name="PreviousLinkKey">The previous one, still answered during the overlap.</param>
/// <param name="CircuitHandshakeKey">The current ntor v3 onion key.</param>
/// <param name="PreviousCircuitHandshakeKey">The previous one, still answered during the overlap.</param>
public sealed record RelayKeySet(
    LinkKey LinkKey,
    LinkKey? PreviousLinkKey,
    CircuitHandshakeKey CircuitHandshakeKey,
    CircuitHandshakeKey? PreviousCircuitHandshakeKey);

/// <summary>
/// The relay's keys as the circuit engine reads them: the identity's public id and the keys to answer with now.
/// <see cref="RelayKeyStore"/> is the real one (files, rotation); tests may pass fixed keys.
/// </summary>
public interface IRelayKeys
{
    /// <summary>The identity's public key, the relay's id in the network.</summary>
    RelayId Id { get; }

    /// <summary>The keys to answer with now (read it once per handshake).</summary>
    RelayKeySet Current { get; }
}

/// <summary>Placeholder with the agreed signatures; its owner replaces the body.</summary>
public sealed class RelayKeyStore : IRelayKeys
{
    /// <summary>The long-term identity (never replaced without the operator asking).</summary>
    public RelayIdentityKey Identity => throw new NotImplementedException();

    /// <summary>The identity's public key, the relay's id in the network.</summary>
    public RelayId Id => throw new NotImplementedException();

    /// <summary>The keys to answer with now (read it once per handshake).</summary>
    public RelayKeySet Current => throw new NotImplementedException();
}
