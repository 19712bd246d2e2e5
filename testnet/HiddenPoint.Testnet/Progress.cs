using System.Globalization;

namespace HiddenPoint.Testnet;

/// <summary>
/// The run's progress with the time since it started. On a terminal the current step is redrawn in place; into a
/// file or a pipe (CI) each new step is one line.
/// </summary>
internal sealed class Progress
{
    private readonly TextWriter _output;
    private readonly TimeProvider _clock;
    private readonly long _started;
    private readonly bool _inPlace;
    private string? _last;

    public Progress(TextWriter output, TimeProvider clock, bool inPlace)
    {
        _output = output;
        _clock = clock;
        _started = clock.GetTimestamp();
        _inPlace = inPlace;
    }

    public TimeSpan Elapsed => _clock.GetElapsedTime(_started);

    /// <summary>Shows the step in progress; on a terminal it replaces the previous one, elsewhere it is written only when it changed.</summary>
    public void Show(string step)
    {
        if (_inPlace)
        {
            _output.Write("\r\u001b[K" + Stamp() + step);
            _output.Flush();
        }
        else if (step != _last)
        {
            _output.WriteLine(Stamp() + step);
        }

        _last = step;
    }

    /// <summary>Writes a finished step on a line of its own.</summary>
    public void Done(string step)
    {
        if (_inPlace)
        {
            _output.Write("\r\u001b[K");
        }

        _output.WriteLine(Stamp() + step);
        _last = null;
    }

    private string Stamp() => string.Create(CultureInfo.InvariantCulture, $"[{Elapsed.TotalSeconds,6:0.0} s] ");
}
