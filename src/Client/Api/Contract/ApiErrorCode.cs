namespace HiddenPoint.Client.Api.Contract;

/// <summary>
/// The JSON-RPC error codes of the API's own errors (the <c>code</c> of an error response; JSON-RPC's reserved codes,
/// -32700 to -32600, keep their meaning: parse error, invalid request, method not found, invalid params).
/// </summary>
public enum ApiErrorCode
{
    /// <summary>A hidden-id parameter is not a valid hidden-id (or names this user).</summary>
    InvalidHiddenId = 1001,

    /// <summary>Another parameter is out of range: empty or too long text or name, a page size outside 1 to 1,000.</summary>
    InvalidArgument = 1002,

    /// <summary>The daemon is shutting down.</summary>
    ShuttingDown = 1003,

    /// <summary>The store failed (a disk error, a value damaged on disk); the message says what.</summary>
    StoreFailure = 1004,
}
