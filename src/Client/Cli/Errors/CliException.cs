namespace HiddenPoint.Client.Cli.Errors;

/// <summary>A command failed for a reason the user can act on: <see cref="Error"/> says which, the message says what to do.</summary>
internal sealed class CliException : Exception
{
    /// <summary>Creates the failure.</summary>
    public CliException(CliError error, string message)
        : base(message) => Error = error;

    /// <summary>Creates the failure with its cause.</summary>
    public CliException(CliError error, string message, Exception innerException)
        : base(message, innerException) => Error = error;

    /// <summary>Required by the exception pattern; prefer the constructors that name the error.</summary>
    public CliException()
        : this(CliError.Failure, "The command failed.")
    {
    }

    /// <summary>Required by the exception pattern; prefer the constructors that name the error.</summary>
    public CliException(string message)
        : this(CliError.Failure, message)
    {
    }

    /// <summary>Required by the exception pattern; prefer the constructors that name the error.</summary>
    public CliException(string message, Exception innerException)
        : this(CliError.Failure, message, innerException)
    {
    }

    /// <summary>What kind of failure it is; decides the exit code.</summary>
    public CliError Error { get; }
}
