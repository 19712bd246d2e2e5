namespace HiddenPoint.Protocol.Documents;

/// <summary>Why a directory document's bytes were refused. See docs/directory-documents.md for each rule.</summary>
public enum DocumentErrorKind
{
    /// <summary>Larger than the document type's size limit; nothing else was looked at.</summary>
    TooLarge = 1,

    /// <summary>Empty, or the last byte is not a line feed (a cut-short transfer).</summary>
    Truncated,

    /// <summary>A byte outside printable ASCII (0x20–0x7E) and LF: CR, TAB, NUL, or anything non-ASCII.</summary>
    InvalidCharacter,

    /// <summary>A line is empty, too long, has leading, trailing or doubled spaces, or its keyword is not well formed.</summary>
    MalformedLine,

    /// <summary>The first line does not name the expected document type.</summary>
    WrongDocumentType,

    /// <summary>The first line names a format version this code does not know.</summary>
    UnsupportedVersion,

    /// <summary>A keyword this document type does not define, outside any allowed extension.</summary>
    UnknownKeyword,

    /// <summary>A keyword allowed at most once appears again.</summary>
    DuplicateKeyword,

    /// <summary>A required keyword is absent (the error's keyword names it).</summary>
    MissingKeyword,

    /// <summary>A known keyword appears out of the fixed order.</summary>
    KeywordOutOfOrder,

    /// <summary>A repeatable keyword appears more often than its limit.</summary>
    TooManyItems,

    /// <summary>A line has too few or too many arguments.</summary>
    WrongArgumentCount,

    /// <summary>A binary value is not canonical unpadded base64 of the expected length.</summary>
    BadBase64,

    /// <summary>A time is not a valid <c>YYYY-MM-DD HH:MM:SS</c> between years 2000 and 9999.</summary>
    BadTime,

    /// <summary>Times that must be ordered are not (valid-after &lt; fresh-until ≤ valid-until; a certificate expiring before publication).</summary>
    TimesOutOfOrder,

    /// <summary>A nickname is not 1–19 ASCII letters and digits.</summary>
    BadNickname,

    /// <summary>An address is not a canonical IPv4 or bracketed IPv6 address with a port 1–65535.</summary>
    BadAddress,

    /// <summary>An integer is not canonical decimal, or is out of its range.</summary>
    BadInteger,

    /// <summary>A software version token is empty, too long, or has characters outside its set.</summary>
    BadSoftware,

    /// <summary>A protocol list entry is malformed, unsorted, or not in canonical range form.</summary>
    BadProtocols,

    /// <summary>A network parameter is not <c>Name=integer</c> with a well-formed name.</summary>
    BadParameter,

    /// <summary>A relay flag this format does not define, or flags not in canonical order.</summary>
    BadFlag,

    /// <summary>Entries that must be strictly ascending (relays, authorities, family, parameters) are not in order.</summary>
    NotSorted,

    /// <summary>An entry appears twice (the same relay, authority, address, family member or signer).</summary>
    DuplicateEntry,

    /// <summary>A relay lists itself in its own family.</summary>
    SelfInFamily,

    /// <summary>A vote's signature line names a different authority than the vote's authority line.</summary>
    SignerMismatch,
}

/// <summary>A refused document: what was wrong, on which line, and at which keyword.</summary>
/// <param name="Kind">What was wrong.</param>
/// <param name="Line">1-based line number; 0 when the whole document is refused before lines are read.</param>
/// <param name="Keyword">The keyword concerned (for a missing keyword, the one that is missing), or null when the
/// line has no well-formed keyword.</param>
public readonly record struct DocumentError(DocumentErrorKind Kind, int Line, string? Keyword)
{
    /// <inheritdoc/>
    public override string ToString() =>
        Keyword is null ? $"{Kind} at line {Line}" : $"{Kind} at line {Line} ({Keyword})";
}
