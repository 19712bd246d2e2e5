namespace HiddenPoint.Client.Circuits;

/// <summary>No circuit for a purpose could be built: every attempt failed or the time allowed ran out.</summary>
public sealed class CircuitBuildException : Exception
{
    /// <summary>A build failure for <paramref name="purpose"/> after <paramref name="attempts"/> attempts.</summary>
    public CircuitBuildException(CircuitPurpose purpose, int attempts, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Purpose = purpose;
        Attempts = attempts;
    }

    /// <summary>A build failure for <paramref name="purpose"/> after <paramref name="attempts"/> attempts, the last of
    /// which stopped at <paramref name="lastStep"/>.</summary>
    public CircuitBuildException(CircuitPurpose purpose, int attempts, CircuitBuildStep lastStep, string message, Exception? innerException = null)
        : this(purpose, attempts, message, innerException) => LastStep = lastStep;

    /// <summary>An unspecified build failure.</summary>
    public CircuitBuildException()
    {
    }

    /// <summary>A build failure with a message.</summary>
    public CircuitBuildException(string message)
        : base(message)
    {
    }

    /// <summary>A build failure with a message and its cause.</summary>
    public CircuitBuildException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What the circuit was for.</summary>
    public CircuitPurpose Purpose { get; }

    /// <summary>How many paths were tried.</summary>
    public int Attempts { get; }

    /// <summary>Where the last attempt stopped (<see cref="CircuitBuildStep.None"/> when not known).</summary>
    public CircuitBuildStep LastStep { get; }
}
