namespace HiddenPoint.Protocol.Wire;

/// <summary>What was wrong with bytes that failed to decode.</summary>
public enum DecodeErrorKind : byte
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>
    /// The input ended before the structure was complete. For a stream framer this is "need more bytes"
    /// (reported as <see cref="HiddenPoint.Protocol.Cells.CellDecodeStatus.NeedMore"/>, never as an error);
    /// inside a length-delimited message it means the message is short, which is malformed.
    /// </summary>
    Truncated,

    /// <summary>Bytes were left after the last field of a message.</summary>
    TrailingBytes,

    /// <summary>A length field is out of range for its field or for the bytes that hold it.</summary>
    BadLength,

    /// <summary>A field holds a value that this protocol does not allow.</summary>
    BadValue,

    /// <summary>A version field names a version that is not supported.</summary>
    UnsupportedVersion,

    /// <summary>A link specifier of a known type has the wrong length or an invalid value.</summary>
    BadLinkSpecifier,

    /// <summary>A link specifier type that may appear once appeared twice.</summary>
    DuplicateLinkSpecifier,

    /// <summary>A required link specifier (the Ed25519 identity, or any address) is absent.</summary>
    MissingLinkSpecifier,

    /// <summary>An extension type appeared twice in one extension list.</summary>
    DuplicateExtension,

    /// <summary>A cell whose command needs a circuit id carried zero.</summary>
    ZeroCircuitId,

    /// <summary>A cell whose command must not carry a circuit id carried a non-zero one.</summary>
    UnexpectedCircuitId,

    /// <summary>A CREATE2 cell's circuit id has the top bit of the wrong side of the link.</summary>
    WrongCircuitIdSide,

    /// <summary>A stream command carried stream id zero.</summary>
    ZeroStreamId,

    /// <summary>The command number is not one this layer knows.</summary>
    UnknownCommand,

    /// <summary>The command is known but not accepted in the current protocol state.</summary>
    CommandNotAllowed,

    /// <summary>Padding that must be zero was not.</summary>
    NonZeroPadding,
}

/// <summary>
/// A typed decoding failure: its kind, the byte offset where it was detected (relative to the start of the
/// span handed to the decoder that reported it), and a short static message for logs.
/// </summary>
/// <param name="Kind">What was wrong.</param>
/// <param name="Offset">Where, in bytes from the start of the decoded span.</param>
/// <param name="Message">A static, human-readable description; never built from input bytes.</param>
public readonly record struct DecodeError(DecodeErrorKind Kind, int Offset, string Message)
{
    /// <summary>The absence of an error.</summary>
    public static DecodeError None => default;

    /// <summary>True when this value describes a failure.</summary>
    public bool IsError => Kind != DecodeErrorKind.None;

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} at {Offset}: {Message}";
}
