namespace HiddenPoint.Client.Cli.Errors;

/// <summary>
/// Every way an hpc-client command can fail, as a value: <see cref="CliErrors"/> gives each its exit code, and the
/// message travels with it in <see cref="CliException"/>. docs/cli.md lists them.
/// </summary>
internal enum CliError
{
    /// <summary>Anything not named below: an I/O error, an unexpected fault (exit 1).</summary>
    Failure = 1,

    /// <summary>The command line is wrong: an unknown verb or option, a malformed value (exit 64, EX_USAGE).</summary>
    Usage,

    /// <summary>The configuration cannot be used: a bad option or file, no authorities, no passphrase source, a key
    /// file or folder with the wrong owner or permissions (exit 78, EX_CONFIG).</summary>
    Configuration,

    /// <summary>The data directory holds no identity yet: run <c>hpc-client init</c> (exit 78, EX_CONFIG).</summary>
    NotInitialized,

    /// <summary><c>init</c> found an identity or message store already there; neither is ever replaced (exit 73,
    /// EX_CANTCREAT).</summary>
    AlreadyInitialized,

    /// <summary>The passphrase does not open the message store (exit 77, EX_NOPERM).</summary>
    WrongPassphrase,

    /// <summary>Another process (a running client daemon?) has the message store open (exit 75, EX_TEMPFAIL).</summary>
    StoreInUse,

    /// <summary>The message store is damaged: it does not open, or values in it do not authenticate (exit 65,
    /// EX_DATAERR).</summary>
    StoreDamaged,

    /// <summary>The network could not be reached in time: no authority gave a usable consensus (exit 69,
    /// EX_UNAVAILABLE).</summary>
    NetworkUnavailable,

    /// <summary>A message was not delivered within the time given; it stays queued in the outbox with the reason shown
    /// (exit 75, EX_TEMPFAIL: the next run of the messenger or the daemon sends it).</summary>
    NotDelivered,

    /// <summary>A message failed for good (the contact refused it; exit 1).</summary>
    DeliveryFailed,

    /// <summary>The user interrupted the command (Ctrl-C; exit 130).</summary>
    Interrupted,
}
