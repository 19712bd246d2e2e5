using Microsoft.Extensions.Options;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// Limits of one circuit: queue cap and SENDME flow control. Checked by <see cref="CircuitOptionsValidator"/> at start
/// and again when a circuit is created.
/// </summary>
public sealed class CircuitOptions
{
    /// <summary>
    /// The most cells from one link end (inward or outward, each counted apart) waiting for the circuit's reactor. A peer
    /// that overruns it (by ignoring the window) gets the circuit closed: the cap is hard. Default 1,100 (one full
    /// window and a margin); range 16 to 100,000. A relay's circuit may thus hold up to twice this many, one window each
    /// way.
    /// </summary>
    public int MaxQueuedCells { get; set; } = 1_100;

    /// <summary>
    /// The circuit window: DATA messages a side may originate towards one hop before that hop acknowledges them.
    /// Default 1,000 (Tor's); range 100 to 10,000; a multiple of <see cref="SendmeIncrement"/>.
    /// </summary>
    public int Window { get; set; } = 1_000;

    /// <summary>DATA messages acknowledged by one SENDME. Default 100 (Tor's); range 1 to 1,000.</summary>
    public int SendmeIncrement { get; set; } = 100;

    /// <summary>
    /// The most messages a local sender may have handed to the circuit that wait for window. Senders wait beyond it.
    /// Default 64; range 1 to 4,096.
    /// </summary>
    public int MaxPendingSends { get; set; } = 64;

    /// <summary>
    /// The most streams an originator's circuit carries at once, those it opened and those the far end asked for. Each
    /// windowed stream may hold up to <c>StreamWindow.Initial</c> unread DATA messages (about 244 KB). Default 64;
    /// range 1 to 65,535.
    /// </summary>
    public int MaxStreams { get; set; } = 64;

    /// <summary>Throws <see cref="OptionsValidationException"/> when a value is out of range.</summary>
    public void Validate()
    {
        var result = new CircuitOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(CircuitOptions), typeof(CircuitOptions), result.Failures);
        }
    }
}

/// <summary>Checks <see cref="CircuitOptions"/>; each message names the option to change.</summary>
public sealed class CircuitOptionsValidator : IValidateOptions<CircuitOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, CircuitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Range(failures, nameof(CircuitOptions.MaxQueuedCells), options.MaxQueuedCells, 16, 100_000);
        Range(failures, nameof(CircuitOptions.Window), options.Window, 100, 10_000);
        Range(failures, nameof(CircuitOptions.SendmeIncrement), options.SendmeIncrement, 1, 1_000);
        Range(failures, nameof(CircuitOptions.MaxPendingSends), options.MaxPendingSends, 1, 4_096);
        Range(failures, nameof(CircuitOptions.MaxStreams), options.MaxStreams, 1, ushort.MaxValue);
        if (options.SendmeIncrement > 0 && options.Window % options.SendmeIncrement != 0)
        {
            failures.Add($"CircuitOptions.{nameof(CircuitOptions.Window)} ({options.Window}) must be a multiple of " +
                $"CircuitOptions.{nameof(CircuitOptions.SendmeIncrement)} ({options.SendmeIncrement}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"CircuitOptions.{name} is {value}; it must be between {min} and {max}.");
        }
    }
}
