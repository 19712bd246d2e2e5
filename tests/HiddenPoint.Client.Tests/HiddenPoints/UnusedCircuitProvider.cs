using HiddenPoint.Client.Circuits;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Tests.HiddenPoints;

/// <summary>For tests of what happens before any circuit is asked for: asking for one fails the test.</summary>
internal sealed class UnusedCircuitProvider : ICircuitProvider
{
    public Task<ProvidedCircuit> GetAsync(CircuitPurpose purpose, RelayStatus? lastHop, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"No circuit should be asked for ({purpose}).");
}
