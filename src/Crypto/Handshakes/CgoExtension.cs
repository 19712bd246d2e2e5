namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The ntor v3 extension that negotiates the relay-cell crypto of a new hop: type 64 (HiddenPoint's own range), body
/// one byte, the CGO version. Version 1 is CGO (Tor proposal 359) over AES-128 with the v1 relay-cell layout: the
/// hop's keys are the first 160 bytes of the handshake's key stream, and the 32 bytes after them are the circuit's
/// binding key KH. The client sends it in CM; the relay answers with the same extension in SM. Other extension types
/// are ignored, so that later versions can add their own.
/// </summary>
public static class CgoExtension
{
    /// <summary>EXT_FIELD_TYPE of the CGO extension.</summary>
    public const byte Type = 64;

    /// <summary>CGO over AES-128, the v1 relay-cell layout.</summary>
    public const byte Version1 = 1;

    /// <summary>The extension list a client sends (CM) and a relay answers with (SM).</summary>
    public static NtorV3ExtensionList Request { get; } = new(new NtorV3Extension(Type, [Version1]));

    /// <summary>The extension list a relay answers with (SM).</summary>
    public static NtorV3ExtensionList Response => Request;

    /// <summary>
    /// Reads the CGO version asked for in <paramref name="message"/> (an encoded ntor v3 extension list, CM or SM).
    /// Never throws on what a peer sent.
    /// </summary>
    public static CgoExtensionError TryRead(ReadOnlySpan<byte> message, out byte version)
    {
        version = 0;
        if (!NtorV3ExtensionList.TryParse(message, out var list, out _))
        {
            return CgoExtensionError.MalformedExtensions;
        }

        if (!list.TryGet(Type, out var extension))
        {
            return CgoExtensionError.Missing;
        }

        if (extension.Data.Length != 1)
        {
            return CgoExtensionError.BadLength;
        }

        version = extension.Data[0];
        return version == Version1 ? CgoExtensionError.None : CgoExtensionError.UnsupportedVersion;
    }
}
