using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Cgo;

/// <summary>
/// The client's CGO state for one hop of a circuit (the mirror of that relay's <see cref="CgoRelayHop"/>). Added to
/// a <see cref="CgoClientCircuit"/>, which runs the per-cell operations across all hops.
/// </summary>
public sealed class CgoClientHop : IDisposable
{
    private CgoCryptState _forward;
    private CgoCryptState _backward;
    private bool _disposed;

    /// <summary>
    /// Builds the hop's state from the circuit handshake's key material: the first
    /// <see cref="CgoSizes.KeyMaterialLength"/> bytes of the KDF stream, forward K || N then backward K || N.
    /// </summary>
    /// <param name="keyMaterial">Exactly <see cref="CgoSizes.KeyMaterialLength"/>(<paramref name="keySize"/>) bytes.</param>
    /// <param name="keySize">AES-128 on the network.</param>
    /// <param name="implementation">Intrinsic when the processor supports it, unless chosen here.</param>
    public CgoClientHop(
        ReadOnlySpan<byte> keyMaterial,
        CgoAesKeySize keySize = CgoAesKeySize.Aes128,
        PrimitiveImplementation? implementation = null)
    {
        var direction = CgoSizes.DirectionKeyMaterialLength(keySize);
        if (keyMaterial.Length != 2 * direction)
        {
            throw new ArgumentException($"CGO key material must be {2 * direction} bytes.", nameof(keyMaterial));
        }

        var resolved = PrimitiveSupport.Resolve(implementation);
        _forward.Initialize(keyMaterial[..direction], keySize, resolved, AesDirections.Decrypt);
        _backward.Initialize(keyMaterial[direction..], keySize, resolved, AesDirections.Decrypt);
    }

    internal bool IsDisposed => _disposed;

    internal void OriginateLayer(byte command, Span<byte> body, Span<byte> sendmeTag) =>
        _forward.ClientOriginate(command, body, sendmeTag);

    internal void ForwardLayer(byte command, Span<byte> body) => _forward.ClientForward(command, body);

    internal bool BackwardLayer(byte command, Span<byte> body, Span<byte> sendmeTag) =>
        _backward.ClientBackward(command, body, sendmeTag);

    internal ref CgoCryptState ForwardStateForTesting => ref _forward;

    internal ref CgoCryptState BackwardStateForTesting => ref _backward;

    /// <summary>Wipes the keys.</summary>
    public void Dispose()
    {
        _forward.Clear();
        _backward.Clear();
        _disposed = true;
    }
}
