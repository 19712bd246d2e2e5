using System.Runtime.CompilerServices;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>32 bytes stored inline, the representation of every fixed-size key and id in this namespace.</summary>
[InlineArray(32)]
internal struct Bytes32
{
    private byte _element;
}
