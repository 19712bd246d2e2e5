using Microsoft.Extensions.Options;

namespace HiddenPoint.Network.Links;

/// <summary>
/// Limits and timers of one link. Defaults suit a relay on the public network; <see cref="LinkOptionsValidator"/>
/// checks the ranges at start (register it with <c>ValidateOnStart</c>), and every link checks them again when it
/// is created, so a bad value never reaches a socket.
/// </summary>
public sealed class LinkOptions
{
    /// <summary>
    /// The longest a whole Noise handshake may take, from the first byte to the last. Default 10 s; range
    /// 100 ms to 2 min. A peer that stalls mid-handshake is cut off when it expires.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A link on which nothing at all (not even padding) arrives for this long is closed. Default 3 min; range 1 s to
    /// 1 day; must exceed <see cref="KeepaliveInterval"/>, since the peer's keepalive is what keeps a quiet link open.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// When this side has sent nothing for this long it sends one PADDING cell, so that a quiet but healthy link
    /// is not taken for dead by the peer's <see cref="IdleTimeout"/>. Default 60 s; range 100 ms to 1 h.
    /// </summary>
    public TimeSpan KeepaliveInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A write to the peer that has not completed for this long means the peer stopped reading; the link is closed
    /// with <see cref="LinkCloseReason.WriteStalled"/>. Without it, a peer that sends keepalives but never reads would
    /// hold the link (and every sender waiting on its queue) open for ever. Default 60 s; range 1 s to 1 h.
    /// </summary>
    public TimeSpan WriteStallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The most cells per second read from the peer (a token bucket; reading pauses when it is empty, so a fast peer
    /// is slowed, not cut). Default 200,000 (about 100 MB/s); range 10 to 10,000,000.
    /// </summary>
    public int MaxCellsPerSecond { get; set; } = 200_000;

    /// <summary>
    /// How many cells the token bucket lets through at once after a quiet spell. Default 20,000; range 1 to
    /// 10,000,000.
    /// </summary>
    public int CellBurst { get; set; } = 20_000;

    /// <summary>
    /// The most cells waiting to be written on the link. Senders wait (back-pressure) when it is full; nothing is
    /// queued without bound. Default 1,024; range 16 to 65,536.
    /// </summary>
    public int OutboundQueueCapacity { get; set; } = 1_024;

    /// <summary>
    /// The most cells the writer seals into the pipe before one flush. Default 64; range 1 to 4,096.
    /// </summary>
    public int MaxCellsPerFlush { get; set; } = 64;

    /// <summary>The most circuits (in any state) one link carries. Default 8,192; range 1 to 1,048,576.</summary>
    public int MaxCircuitsPerLink { get; set; } = 8_192;

    /// <summary>
    /// How long a circuit id stays reserved after this side sent DESTROY, so that cells the peer sent before it
    /// saw the DESTROY are absorbed instead of being taken for a protocol violation. Default 30 s; range 1 s to 10 min.
    /// </summary>
    public TimeSpan DestroyedCircuitLinger { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest a graceful close waits for queued cells to be written before it aborts. Default 5 s; range
    /// 0 to 1 min.
    /// </summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="OptionsValidationException"/> when a value is out of range.</summary>
    public void Validate()
    {
        var result = new LinkOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(LinkOptions), typeof(LinkOptions), result.Failures);
        }
    }
}

/// <summary>Checks <see cref="LinkOptions"/>; each message names the option to change.</summary>
public sealed class LinkOptionsValidator : IValidateOptions<LinkOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, LinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Range(failures, nameof(LinkOptions.HandshakeTimeout), options.HandshakeTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(2));
        Range(failures, nameof(LinkOptions.IdleTimeout), options.IdleTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Range(failures, nameof(LinkOptions.KeepaliveInterval), options.KeepaliveInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        Range(failures, nameof(LinkOptions.WriteStallTimeout), options.WriteStallTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Range(failures, nameof(LinkOptions.MaxCellsPerSecond), options.MaxCellsPerSecond, 10, 10_000_000);
        Range(failures, nameof(LinkOptions.CellBurst), options.CellBurst, 1, 10_000_000);
        Range(failures, nameof(LinkOptions.OutboundQueueCapacity), options.OutboundQueueCapacity, 16, 65_536);
        Range(failures, nameof(LinkOptions.MaxCellsPerFlush), options.MaxCellsPerFlush, 1, 4_096);
        Range(failures, nameof(LinkOptions.MaxCircuitsPerLink), options.MaxCircuitsPerLink, 1, 1_048_576);
        Range(failures, nameof(LinkOptions.DestroyedCircuitLinger), options.DestroyedCircuitLinger, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Range(failures, nameof(LinkOptions.CloseTimeout), options.CloseTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        if (options.IdleTimeout <= options.KeepaliveInterval)
        {
            failures.Add($"LinkOptions.{nameof(LinkOptions.IdleTimeout)} ({options.IdleTimeout}) must be longer than " +
                $"LinkOptions.{nameof(LinkOptions.KeepaliveInterval)} ({options.KeepaliveInterval}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static void Range<T>(List<string> failures, string name, T value, T min, T max)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            failures.Add($"LinkOptions.{name} is {value}; it must be between {min} and {max}.");
        }
    }
}
