using HiddenPoint.Client.Circuits;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Tests.HiddenPoints;

/// <summary>A provider whose circuits never come (a network that swallows everything): only cancellation ends a request.</summary>
internal sealed class HangingCircuitProvider : ICircuitProvider
{
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    public async Task<ProvidedCircuit> GetAsync(CircuitPurpose purpose, RelayStatus? lastHop, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }
}
