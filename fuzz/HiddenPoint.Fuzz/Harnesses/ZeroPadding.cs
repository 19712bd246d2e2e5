using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>Zero padding, so that a re-encoded relay cell is a function of the message alone.</summary>
internal sealed class ZeroPadding : IPaddingSource
{
    public static ZeroPadding Instance { get; } = new();

    public void Fill(Span<byte> destination) => destination.Clear();
}
