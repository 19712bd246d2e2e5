using System.Diagnostics.CodeAnalysis;

namespace HiddenPoint.Fuzz;

/// <summary>
/// One fuzz target: a parser, fed one input at a time. <see cref="Run"/> returns normally when the parser accepted the
/// input or refused it with its declared typed error; anything else it throws is a finding (F-INV 1), and so is a
/// <see cref="FuzzInvariantException"/> that the harness raises itself (an accepted input that does not round-trip,
/// F-INV 3).
/// </summary>
public abstract class Harness
{
    /// <summary>The name used on the command line, in fuzz/corpus/NAME and fuzz/crashes/NAME.</summary>
    public abstract string Name { get; }

    /// <summary>What the harness feeds, for <c>hpc-fuzz list</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Runs the parser over <paramref name="input"/>.</summary>
    public abstract void Run(ReadOnlySpan<byte> input);

    /// <summary>Small valid inputs made by the project's own encoders, plus a few edge cases: the seed corpus.</summary>
    public abstract IEnumerable<byte[]> Seeds();

    /// <summary>Fails the run when an accepted value re-encodes differently after a decode of its own encoding.</summary>
    protected static void CheckSame(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, string what)
    {
        if (!first.SequenceEqual(second))
        {
            throw new FuzzInvariantException($"{what}: Decode(Encode(Decode(x))) differs from Decode(x).");
        }
    }

    /// <summary>Fails the run when a value the parser accepted does not decode again from its own encoding.</summary>
    protected static void CheckAccepted([DoesNotReturnIf(false)] bool accepted, string what)
    {
        if (!accepted)
        {
            throw new FuzzInvariantException($"{what}: the encoding of an accepted value is refused.");
        }
    }
}

/// <summary>A fuzz invariant other than "no unexpected exception" was broken (F-INV 3).</summary>
public sealed class FuzzInvariantException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FuzzInvariantException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public FuzzInvariantException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public FuzzInvariantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
