namespace HiddenPoint.NetworkBenchmark;

/// <summary>A run that cannot go on: a node exited, a wait ran out, a figure could not be measured. The message says which.</summary>
internal sealed class BenchmarkException : Exception
{
    public BenchmarkException()
    {
    }

    public BenchmarkException(string message)
        : base(message)
    {
    }

    public BenchmarkException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
