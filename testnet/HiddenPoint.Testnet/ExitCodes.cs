namespace HiddenPoint.Testnet;

/// <summary>hpc-testnet's exit codes (run.sh passes them on).</summary>
internal static class ExitCodes
{
    /// <summary>Done: the testnet is up (run), stopped (stop), fully up (status), removed (clean).</summary>
    public const int Ok = 0;

    /// <summary>The run failed and stopped what it started; status found nodes down; a node would not stop.</summary>
    public const int Failure = 1;

    /// <summary>A testnet already runs in the state folder, or another run or clean is working there.</summary>
    public const int AlreadyRunning = 3;

    /// <summary>A wrong command line.</summary>
    public const int Usage = 64;

    /// <summary>Ctrl-C during run (after stopping what it started).</summary>
    public const int Interrupted = 130;
}
