using System.IO.Pipelines;

namespace HiddenPoint.Testing;

/// <summary>One end of an in-memory connection: what it reads and what it writes.</summary>
public sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    /// <inheritdoc/>
    public PipeReader Input { get; } = input;

    /// <inheritdoc/>
    public PipeWriter Output { get; } = output;
}
