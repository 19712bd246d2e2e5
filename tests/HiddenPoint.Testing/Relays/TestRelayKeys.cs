using HiddenPoint.Crypto.Keys;
using HiddenPoint.Relay.Keys;

namespace HiddenPoint.Testing;

/// <summary>A test relay's keys: a fresh identity, link key and circuit-handshake key, never rotated.</summary>
public sealed class TestRelayKeys : IRelayKeys, IDisposable
{
    private readonly RelayIdentityKey _identity = RelayIdentityKey.Generate();

    /// <summary>Fresh keys.</summary>
    public TestRelayKeys()
    {
        Id = _identity.Id;
        Current = new RelayKeySet(LinkKey.Generate(), null, CircuitHandshakeKey.Generate(), null);
    }

    /// <inheritdoc/>
    public RelayId Id { get; }

    /// <inheritdoc/>
    public RelayKeySet Current { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        _identity.Dispose();
        Current.LinkKey.Dispose();
        Current.CircuitHandshakeKey.Dispose();
    }
}
