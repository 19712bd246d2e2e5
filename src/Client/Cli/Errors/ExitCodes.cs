namespace HiddenPoint.Client.Cli.Errors;

/// <summary>
/// hpc-client's exit codes: hpc-relay's (0, 1, 64, 78) and, where a script needs to tell a failure apart, the matching
/// code of sysexits.h. docs/cli.md, "Exit codes", lists them.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Any other failure.</summary>
    public const int Failure = 1;

    /// <summary>The message store is damaged (EX_DATAERR).</summary>
    public const int DataError = 65;

    /// <summary>The command line is wrong (EX_USAGE).</summary>
    public const int Usage = 64;

    /// <summary>The network could not be reached (EX_UNAVAILABLE).</summary>
    public const int Unavailable = 69;

    /// <summary>Something that is never replaced is there already (EX_CANTCREAT).</summary>
    public const int CannotCreate = 73;

    /// <summary>Busy: try again later (EX_TEMPFAIL).</summary>
    public const int TryAgain = 75;

    /// <summary>The passphrase is wrong (EX_NOPERM).</summary>
    public const int PermissionDenied = 77;

    /// <summary>The configuration, or the data directory, cannot be used (EX_CONFIG).</summary>
    public const int Configuration = 78;

    /// <summary>Interrupted by SIGINT (128 + 2, as shells report it).</summary>
    public const int Interrupted = 130;
}
