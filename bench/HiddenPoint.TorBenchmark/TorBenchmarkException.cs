namespace HiddenPoint.TorBenchmark;

/// <summary>A step of the benchmark failed (a tor did not start, a wait ran out, a reply was not the expected one).</summary>
internal sealed class TorBenchmarkException : Exception
{
    public TorBenchmarkException()
    {
    }

    public TorBenchmarkException(string message)
        : base(message)
    {
    }

    public TorBenchmarkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
