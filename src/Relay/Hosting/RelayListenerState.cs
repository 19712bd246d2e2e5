using System.Net;

namespace HiddenPoint.Relay.Hosting;

/// <summary>
/// Where the relay's listener ended up bound (the port is the system's choice when <see cref="RelayOptions.ListenPort"/>
/// is 0). The descriptor publisher waits for it, since the descriptor lists the port.
/// </summary>
public sealed class RelayListenerState
{
    private readonly TaskCompletionSource<IPEndPoint> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the bound endpoint once the listener accepts links.</summary>
    public Task<IPEndPoint> Bound => _bound.Task;

    internal void SetBound(IPEndPoint endPoint) => _bound.TrySetResult(endPoint);
}
