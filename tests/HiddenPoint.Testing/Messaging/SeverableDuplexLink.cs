using System.IO.Pipelines;

namespace HiddenPoint.Testing.Messaging;

/// <summary>
/// An in-memory duplex stream with a pump in each direction, so that a test can cut it mid-flight the way a broken
/// circuit does: <see cref="Sever"/> drops whatever is still in transit, fails each side's reads with an
/// <see cref="IOException"/>, and makes each side's writes report the stream completed.
/// </summary>
public sealed class SeverableDuplexLink
{
    private readonly PipeReader _aOut;
    private readonly PipeReader _bOut;
    private volatile bool _severed;

    /// <summary>A new link; its pumps run until either end completes or <see cref="Sever"/>.</summary>
    public SeverableDuplexLink()
    {
        var options = new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, useSynchronizationContext: false);
        var aOut = new Pipe(options);
        var aIn = new Pipe(options);
        var bOut = new Pipe(options);
        var bIn = new Pipe(options);
        _aOut = aOut.Reader;
        _bOut = bOut.Reader;
        A = new DuplexPipePair.End(aIn.Reader, aOut.Writer);
        B = new DuplexPipePair.End(bIn.Reader, bOut.Writer);
        AToB = PumpAsync(aOut.Reader, bIn.Writer);
        BToA = PumpAsync(bOut.Reader, aIn.Writer);
    }

    /// <summary>One end.</summary>
    public IDuplexPipe A { get; }

    /// <summary>The other end.</summary>
    public IDuplexPipe B { get; }

    /// <summary>The pump from A to B; ends when A's output completes or the link is severed.</summary>
    public Task AToB { get; }

    /// <summary>The pump from B to A.</summary>
    public Task BToA { get; }

    /// <summary>Cuts the link in both directions.</summary>
    public void Sever()
    {
        _severed = true;
        _aOut.CancelPendingRead();
        _bOut.CancelPendingRead();
    }

    private async Task PumpAsync(PipeReader from, PipeWriter to)
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                var result = await from.ReadAsync().ConfigureAwait(false);
                if (_severed)
                {
                    // Whatever was in transit is lost with the circuit.
                    from.AdvanceTo(result.Buffer.End);
                    failure = new IOException("The link was severed.");
                    break;
                }

                var readerGone = false;
                foreach (var segment in result.Buffer)
                {
                    readerGone |= (await to.WriteAsync(segment).ConfigureAwait(false)).IsCompleted;
                }

                from.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || readerGone)
                {
                    break;
                }
            }
        }
        catch (InvalidOperationException exception)
        {
            failure = exception;
        }

        await from.CompleteAsync().ConfigureAwait(false);
        await to.CompleteAsync(failure).ConfigureAwait(false);
    }
}
