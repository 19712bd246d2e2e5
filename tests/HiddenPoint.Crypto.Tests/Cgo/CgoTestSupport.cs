using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Tests.Cgo;

internal static class CgoTestSupport
{
    /// <summary>
    /// Both paths. The intrinsic path is asserted to be available rather than skipped: a machine without AES-NI
    /// fails these tests loudly instead of passing them silently.
    /// </summary>
    public static IReadOnlyList<PrimitiveImplementation> AvailableImplementations
    {
        get
        {
            Assert.True(PrimitiveSupport.IsIntrinsicSupported, "This processor lacks AES-NI/PCLMULQDQ/SSE4.1.");
            return [PrimitiveImplementation.Intrinsic, PrimitiveImplementation.Portable];
        }
    }

    public static TheoryData<PrimitiveImplementation> Implementations =>
        new(PrimitiveImplementation.Intrinsic, PrimitiveImplementation.Portable);
}
