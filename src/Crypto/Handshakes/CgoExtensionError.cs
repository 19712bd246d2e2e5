namespace HiddenPoint.Crypto.Handshakes;

/// <summary>Why a circuit handshake's CGO request could not be read.</summary>
public enum CgoExtensionError
{
    /// <summary>CGO was asked for, in a version is defined.</summary>
    None = 0,

    /// <summary>The client message was not a well-formed ntor v3 extension list.</summary>
    MalformedExtensions,

    /// <summary>The list carries no CGO extension: HiddenPoint has no other relay crypto, so the handshake is refused.</summary>
    Missing,

    /// <summary>The CGO extension's body is not one byte.</summary>
    BadLength,

    /// <summary>The CGO extension names a version this relay does not run.</summary>
    UnsupportedVersion,
}
