namespace HiddenPoint.Testnet;

/// <summary>A step of the testnet failed; the message says which and why, for the user to read.</summary>
internal sealed class TestnetException : Exception
{
    public TestnetException(string message)
        : base(message)
    {
    }

    public TestnetException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public TestnetException()
    {
    }
}
