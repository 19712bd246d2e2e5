using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Circuits;

/// <summary>
/// Where the hidden-point code gets its circuits: built (or taken from the pool of pre-built ones) along a path that
/// obeys the rules of <paramref name="purpose"/>, with its build timeout and retries on other paths behind it.
/// </summary>
public interface ICircuitProvider
{
    /// <summary>
    /// A circuit for <paramref name="purpose"/>. With <paramref name="lastHop"/> the circuit ends at that relay (an
    /// HSDir, an introduction point, a rendezvous point someone else named); without it the provider chooses the
    /// last hop, which the caller reads from <see cref="ProvidedCircuit.LastRelay"/>.
    /// </summary>
    /// <remarks>The path shapes per purpose (vanguards-lite) are in docs/client.md §2; the caller owns the circuit and
    /// closes it.</remarks>
    /// <exception cref="CircuitBuildException">No circuit could be built within the retries and the time allowed; its
    /// <see cref="CircuitBuildException.LastStep"/> and message say where and why.</exception>
    /// <exception cref="ArgumentException"><paramref name="lastHop"/> was given for <see cref="CircuitPurpose.Directory"/>
    /// (a directory circuit always goes to a guard).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; a half-built circuit is closed.</exception>
    Task<ProvidedCircuit> GetAsync(CircuitPurpose purpose, RelayStatus? lastHop, CancellationToken cancellationToken);
}
