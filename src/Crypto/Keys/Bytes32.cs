using System.Runtime.CompilerServices;

namespace HiddenPoint.Crypto.Keys;

/// <summary>
/// 32 bytes stored inline: the representation of every fixed-size public key and id, so that such values are plain
/// structs that cost no allocation when a handshake hands one out.
/// </summary>
[InlineArray(32)]
internal struct Bytes32
{
    private byte _element;
}
