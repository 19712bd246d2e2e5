using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Cgo;

/// <summary>
/// One direction of one CGO layer, as proposal 359 names it: the UIV+ key K, the nonce N and the previous tag T'
/// (which starts all-zero). The same state is kept at the client and at the relay; the relay only ever encrypts
/// with UIV+ and the client only ever decrypts.
/// </summary>
internal struct CgoCryptState
{
    private CgoUiv _uiv;
    private Vector128<byte> _nonce;
    private Vector128<byte> _tag;

    /// <summary>Sets K || N from <paramref name="material"/> (<see cref="CgoSizes.DirectionKeyMaterialLength"/> bytes).</summary>
    /// <param name="allowWideHash">False runs ET's 128-bit tweak hash even where the 512-bit one exists (tests).</param>
    public void Initialize(
        ReadOnlySpan<byte> material, CgoAesKeySize keySize, PrimitiveImplementation implementation, AesDirections etDirections,
        bool allowWideHash = true)
    {
        var uivKeyLength = CgoSizes.UivKeyLength(keySize);
        _uiv.SetKey(material[..uivKeyLength], CgoSizes.AesKeyLength(keySize), implementation, etDirections, allowWideHash);
        _nonce = Vector128.Create(material.Slice(uivKeyLength, CgoSizes.TagLength));
        _tag = Vector128<byte>.Zero;
    }

    public void Clear()
    {
        _uiv.Clear();
        _nonce = Vector128<byte>.Zero;
        _tag = Vector128<byte>.Zero;
    }

    /// <summary>Test-only: replace T' (the vectors start from a given T').</summary>
    internal void SetTagForTesting(ReadOnlySpan<byte> tag) => _tag = Vector128.Create(tag);

    /// <summary>Test-only: read K, N and T' back out.</summary>
    internal readonly void ExportStateForTesting(Span<byte> key, Span<byte> nonce, Span<byte> tag)
    {
        _uiv.ExportKey(key);
        _nonce.CopyTo(nonce);
        _tag.CopyTo(tag);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> LoadTag(Span<byte> body) => Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(body));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTag(Vector128<byte> tag, Span<byte> destination) =>
        tag.StoreUnsafe(ref MemoryMarshal.GetReference(destination));

    /// <summary>
    /// Constant-time equality of two blocks: one XOR and a test of the whole vector against zero, with no early exit.
    /// (<see cref="CryptographicOperations.FixedTimeEquals"/> is compiled without optimisation on purpose and costs
    /// tens of nanoseconds a call, a third of a relay's whole per-cell budget; this is the same guarantee for 16 bytes.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool FixedTimeEquals(Vector128<byte> a, Vector128<byte> b) => (a ^ b) == Vector128<byte>.Zero;

    /// <summary>
    /// Relay, forward direction: encrypt one layer with tweak (T', CMD); T' becomes the output tag. The cell is for
    /// this relay when that tag equals N; then K and N are updated from N and the received tag is reported.
    /// </summary>
    public bool RelayForward(byte command, Span<byte> body, Span<byte> receivedTag)
    {
        var received = LoadTag(body);
        _uiv.Encrypt(_tag, command, body);
        _tag = LoadTag(body);
        if (!FixedTimeEquals(_tag, _nonce))
        {
            return false;
        }

        _uiv.Update(ref _nonce);
        StoreTag(received, receivedTag);
        return true;
    }

    /// <summary>Relay, backward direction, a cell from further out: encrypt one layer; T' becomes the output tag.</summary>
    public void RelayBackward(byte command, Span<byte> body)
    {
        _uiv.Encrypt(_tag, command, body);
        _tag = LoadTag(body);
    }

    /// <summary>
    /// Relay, backward direction, a cell this relay originates: the tag field is set to N, the body encrypted, and
    /// the output tag becomes both T' and the input of the key update. Reports the output tag.
    /// </summary>
    public void RelayOriginate(byte command, Span<byte> body, Span<byte> tag)
    {
        StoreTag(_nonce, body);
        _uiv.Encrypt(_tag, command, body);
        _tag = LoadTag(body);
        _nonce = _tag;
        _uiv.Update(ref _nonce);
        StoreTag(_tag, tag);
    }

    /// <summary>
    /// Client, forward direction, at the destination hop's layer: the tag field is set to N, the body decrypted
    /// (T' becomes N, the tag this relay will compute), and K and N updated from N. Reports the tag the relay will
    /// receive, which is what it reports back in an authenticated SENDME.
    /// </summary>
    public void ClientOriginate(byte command, Span<byte> body, Span<byte> tag)
    {
        StoreTag(_nonce, body);
        _uiv.Decrypt(_tag, command, body);
        _tag = _nonce;
        _uiv.Update(ref _nonce);
        StoreTag(LoadTag(body), tag);
    }

    /// <summary>Client, forward direction, at a hop before the destination: decrypt; T' becomes the tag before decryption.</summary>
    public void ClientForward(byte command, Span<byte> body)
    {
        var before = LoadTag(body);
        _uiv.Decrypt(_tag, command, body);
        _tag = before;
    }

    /// <summary>
    /// Client, backward direction: decrypt one layer; T' becomes the tag as received. The cell came from this hop
    /// when the decrypted tag equals N; then K and N are updated from the received tag, which is reported.
    /// </summary>
    public bool ClientBackward(byte command, Span<byte> body, Span<byte> receivedTag)
    {
        var received = LoadTag(body);
        _uiv.Decrypt(_tag, command, body);
        _tag = received;
        if (!FixedTimeEquals(LoadTag(body), _nonce))
        {
            return false;
        }

        _nonce = received;
        _uiv.Update(ref _nonce);
        StoreTag(received, receivedTag);
        return true;
    }
}
