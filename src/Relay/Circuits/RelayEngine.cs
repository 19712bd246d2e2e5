using System.Net;

namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// Placeholder with the agreed signatures; its owner replaces the body. The relay's network core: the listener, the
/// links (to clients and to other relays), CREATE2/EXTEND2, forwarding, and routing messages for this relay to the
/// hidden-point roles.
/// </summary>
public sealed class RelayEngine : IAsyncDisposable
{
    /// <summary>Where the listener is bound once started.</summary>
    public IPEndPoint? LocalEndPoint => throw new NotImplementedException();

    /// <summary>Circuits open through or at this relay.</summary>
    public int OpenCircuits => throw new NotImplementedException();

    /// <summary>
    /// The circuits this relay accepted and that are still open (a snapshot; safe from any thread), for the memory
    /// limit's choice of circuits to close and for metrics.
    /// </summary>
    public IReadOnlyCollection<RelayCircuitContext> Circuits => throw new NotImplementedException();

    /// <summary>Binds the listener on <paramref name="listen"/> and starts accepting links.</summary>
    public Task StartAsync(IPEndPoint listen, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Closes the listener and refuses new circuits; open circuits carry on.</summary>
    public void StopAccepting() => throw new NotImplementedException();

    /// <summary>Waits until no circuit is open, or <paramref name="wait"/> has passed.</summary>
    public Task DrainAsync(TimeSpan wait, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Destroys every remaining circuit (DESTROY both ways) and closes every link.</summary>
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
