using System.IO.Pipelines;

namespace HiddenPoint.Testing.Messaging;

/// <summary>Two ends of an in-memory duplex stream: what one writes, the other reads.</summary>
public static class DuplexPipePair
{
    /// <summary>A new pair, with pause thresholds large enough that a window of full messages never blocks a writer.</summary>
    public static (IDuplexPipe A, IDuplexPipe B) Create()
    {
        var options = new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, useSynchronizationContext: false);
        var aToB = new Pipe(options);
        var bToA = new Pipe(options);
        return (new End(bToA.Reader, aToB.Writer), new End(aToB.Reader, bToA.Writer));
    }

    internal sealed class End(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
