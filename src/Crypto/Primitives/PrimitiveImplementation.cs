using System.Runtime.Intrinsics.X86;

namespace HiddenPoint.Crypto.Primitives;

/// <summary>
/// Which code path a key-scheduled AES or POLYVAL object runs on. The choice is made once, when the object is
/// constructed, and kept in the object: there is no process-wide switch.
/// </summary>
public enum PrimitiveImplementation
{
    /// <summary>AES-NI and PCLMULQDQ through <c>System.Runtime.Intrinsics.X86</c>.</summary>
    Intrinsic = 1,

    /// <summary>Plain C#: a table-free, constant-time AES (bitsliced S-box) and a constant-time carry-less multiply.</summary>
    Portable = 2,
}

/// <summary>Resolves a requested <see cref="PrimitiveImplementation"/> against what the processor offers.</summary>
public static class PrimitiveSupport
{
    /// <summary>True when the processor has AES-NI, PCLMULQDQ and SSE4.1, so the intrinsic path can run.</summary>
    public static bool IsIntrinsicSupported =>
        System.Runtime.Intrinsics.X86.Aes.IsSupported && Pclmulqdq.IsSupported && Sse41.IsSupported;

    /// <summary>
    /// Returns <paramref name="requested"/>, or, when it is null, <see cref="PrimitiveImplementation.Intrinsic"/> if
    /// the processor supports it and <see cref="PrimitiveImplementation.Portable"/> otherwise.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The intrinsic path was requested on a processor without it.</exception>
    public static PrimitiveImplementation Resolve(PrimitiveImplementation? requested)
    {
        switch (requested)
        {
            case null:
                return IsIntrinsicSupported ? PrimitiveImplementation.Intrinsic : PrimitiveImplementation.Portable;
            case PrimitiveImplementation.Intrinsic when !IsIntrinsicSupported:
                throw new PlatformNotSupportedException("This processor lacks AES-NI, PCLMULQDQ or SSE4.1.");
            case PrimitiveImplementation.Intrinsic or PrimitiveImplementation.Portable:
                return requested.Value;
            default:
                throw new ArgumentOutOfRangeException(nameof(requested), requested, "Unknown implementation.");
        }
    }
}
