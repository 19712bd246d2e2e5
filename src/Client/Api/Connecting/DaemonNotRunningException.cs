namespace HiddenPoint.Client.Api.Connecting;

/// <summary>Why no daemon answered on a data directory's socket.</summary>
public enum DaemonUnreachableReason
{
    /// <summary>There is no socket file (or no data directory): no daemon was started there.</summary>
    SocketMissing = 1,

    /// <summary>The socket file is there but nothing listens on it: a daemon stopped without removing it (killed).</summary>
    Refused,

    /// <summary>The socket belongs to another user: the system refused the connection.</summary>
    AccessDenied,
}

/// <summary>No daemon could be reached on a data directory; <see cref="Reason"/> says why, the message what to do.</summary>
public sealed class DaemonNotRunningException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DaemonNotRunningException(string socketPath, DaemonUnreachableReason reason, Exception? inner = null)
        : base(Describe(socketPath, reason), inner)
    {
        SocketPath = socketPath;
        Reason = reason;
    }

    /// <summary>Creates the exception.</summary>
    public DaemonNotRunningException()
        : this(string.Empty, DaemonUnreachableReason.SocketMissing)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DaemonNotRunningException(string message)
        : base(message)
    {
        SocketPath = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public DaemonNotRunningException(string message, Exception innerException)
        : base(message, innerException)
    {
        SocketPath = string.Empty;
    }

    /// <summary>The socket tried.</summary>
    public string SocketPath { get; }

    /// <summary>Why it did not answer.</summary>
    public DaemonUnreachableReason Reason { get; }

    private static string Describe(string socketPath, DaemonUnreachableReason reason) => reason switch
    {
        DaemonUnreachableReason.SocketMissing => $"No hpc-client daemon runs here: '{socketPath}' does not exist. Start one with `hpc-client daemon`.",
        DaemonUnreachableReason.Refused => $"No hpc-client daemon listens on '{socketPath}' (a stopped daemon left it). Start one with `hpc-client daemon`.",
        _ => $"The hpc-client daemon's socket '{socketPath}' belongs to another user.",
    };
}
