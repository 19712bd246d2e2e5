using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Cgo;

/// <summary>
/// UIV+, proposal 359's wide-block cipher over a 509-byte body (X_L = the 16-byte tag, X_R = the rest), with the
/// tweak (H, CMD):
/// <code>
/// encrypt: Y_L = ET.enc(J; H, CMD, X_R; X_L);  Y_R = X_R ^ PRF(S; Y_L, 0)
/// decrypt: X_R = Y_R ^ PRF(S; Y_L, 0);         X_L = ET.dec(J; H, CMD, X_R; Y_L)
/// update:  (J', S', N') = PRF(S; N, 1)
/// </code>
/// Encryption is the non-malleable direction: relays only encrypt and clients only decrypt, so the ET key
/// schedule is prepared for one direction (both for tests).
/// </summary>
internal struct CgoUiv
{
    private const int MaxUivKeyLength = 96;

    private CgoEt _j;
    private CgoPrf _s;
    private int _aesKeyLength;
    private PrimitiveImplementation _implementation;
    private AesDirections _etDirections;
    private bool _allowWideHash;

    public readonly int KeyLength => 2 * (_aesKeyLength + 16);

    /// <summary>Sets K = J || S (ET key then PRF key).</summary>
    /// <param name="allowWideHash">False keeps ET's 128-bit tweak hash where the 512-bit one exists (tests), also after updates.</param>
    public void SetKey(
        ReadOnlySpan<byte> key, int aesKeyLength, PrimitiveImplementation implementation, AesDirections etDirections,
        bool allowWideHash = true)
    {
        _aesKeyLength = aesKeyLength;
        _implementation = implementation;
        _etDirections = etDirections;
        _allowWideHash = allowWideHash;
        var half = aesKeyLength + 16;
        _j.SetKey(key[..half], aesKeyLength, implementation, etDirections, allowWideHash);
        _s.SetKey(key.Slice(half, half), aesKeyLength, implementation);
    }

    public readonly void ExportKey(Span<byte> destination)
    {
        var half = _aesKeyLength + 16;
        _j.ExportKey(destination[..half], _aesKeyLength);
        _s.ExportKey(destination.Slice(half, half), _aesKeyLength);
    }

    public void Clear()
    {
        _j.Clear();
        _s.Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Encrypt(Vector128<byte> tag, byte command, Span<byte> body)
    {
        ref var b = ref MemoryMarshal.GetReference(body);
        var right = body[CgoSizes.TagLength..];
        var left = _j.Encrypt(tag, command, right, Vector128.LoadUnsafe(ref b));
        left.StoreUnsafe(ref b);
        _s.XorT0(left, right);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Decrypt(Vector128<byte> tag, byte command, Span<byte> body)
    {
        ref var b = ref MemoryMarshal.GetReference(body);
        var right = body[CgoSizes.TagLength..];
        var left = Vector128.LoadUnsafe(ref b);
        _s.XorT0(left, right);
        _j.Decrypt(tag, command, right, left).StoreUnsafe(ref b);
    }

    /// <summary>Replaces (J, S) and <paramref name="nonce"/> with PRF(S; nonce, 1), so the old keys cannot be recovered.</summary>
    public void Update(ref Vector128<byte> nonce)
    {
        Span<byte> seed = stackalloc byte[MaxUivKeyLength + CgoSizes.TagLength];
        var keyLength = KeyLength;
        seed = seed[..(keyLength + CgoSizes.TagLength)];
        _s.GenerateT1(nonce, seed);
        SetKey(seed[..keyLength], _aesKeyLength, _implementation, _etDirections, _allowWideHash);
        nonce = Vector128.Create((ReadOnlySpan<byte>)seed[keyLength..]);
        CryptographicOperations.ZeroMemory(seed);
    }
}
