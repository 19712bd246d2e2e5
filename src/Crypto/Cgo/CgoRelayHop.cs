using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Cgo;

/// <summary>
/// A relay's CGO state for one circuit (its own layer): the forward direction (cells from the client, which this
/// relay decrypts by one layer and either recognises or passes on) and the backward direction (cells towards the
/// client, which it passes on or originates). Owns its expanded keys; nothing is allocated per cell. One owner:
/// not thread-safe.
/// </summary>
public sealed class CgoRelayHop : IDisposable
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
    public CgoRelayHop(
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
        _forward.Initialize(keyMaterial[..direction], keySize, resolved, AesDirections.Encrypt);
        _backward.Initialize(keyMaterial[direction..], keySize, resolved, AesDirections.Encrypt);
    }

    /// <summary>
    /// A cell from the client side: removes this relay's layer in place. Returns true when the cell is for this
    /// relay (then <paramref name="sendmeTag"/> receives the 16-byte tag the cell arrived with, and the keys have
    /// moved on); false when it is to be passed further out.
    /// </summary>
    /// <param name="command">The channel cell command (RELAY or RELAY_EARLY), bound in as associated data.</param>
    /// <param name="body">The 509-byte cell body.</param>
    /// <param name="sendmeTag">At least 16 bytes; written only when the cell is recognised.</param>
    public bool ProcessForward(byte command, Span<byte> body, Span<byte> sendmeTag)
    {
        CheckBody(body);
        CheckTag(sendmeTag);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _forward.RelayForward(command, body, sendmeTag);
    }

    /// <summary>A cell from further out, travelling towards the client: adds this relay's layer in place.</summary>
    public void ProcessBackward(byte command, Span<byte> body)
    {
        CheckBody(body);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _backward.RelayBackward(command, body);
    }

    /// <summary>
    /// Sends a relay message from this relay towards the client: <paramref name="body"/>[16..509) holds the message
    /// on entry (the first 16 bytes are overwritten) and the encrypted body on return. <paramref name="sendmeTag"/>
    /// receives the tag the client will acknowledge.
    /// </summary>
    public void Originate(byte command, Span<byte> body, Span<byte> sendmeTag)
    {
        CheckBody(body);
        CheckTag(sendmeTag);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _backward.RelayOriginate(command, body, sendmeTag);
    }

    /// <summary>Wipes the keys.</summary>
    public void Dispose()
    {
        _forward.Clear();
        _backward.Clear();
        _disposed = true;
    }

    internal ref CgoCryptState ForwardStateForTesting => ref _forward;

    internal ref CgoCryptState BackwardStateForTesting => ref _backward;

    internal static void CheckBody(ReadOnlySpan<byte> body)
    {
        if (body.Length != CgoSizes.BodyLength)
        {
            throw new ArgumentException($"A CGO cell body is {CgoSizes.BodyLength} bytes.", nameof(body));
        }
    }

    internal static void CheckTag(ReadOnlySpan<byte> tag)
    {
        if (tag.Length < CgoSizes.TagLength)
        {
            throw new ArgumentException($"A CGO tag needs {CgoSizes.TagLength} bytes.", nameof(tag));
        }
    }
}
