namespace HiddenPoint.Relay.Diagnostics;

/// <summary>
/// Names shared by every part of the relay that reports metrics. Each area creates its instruments from the injected
/// <see cref="System.Diagnostics.Metrics.IMeterFactory"/> with this meter name (the factory hands back one meter per
/// name), so that one OpenTelemetry registration exports them all. Instruments carry aggregates only: no peer address,
/// circuit id or key ever becomes a tag.
/// </summary>
public static class RelayTelemetry
{
    /// <summary>The relay's meter.</summary>
    public const string MeterName = "HiddenPoint.Relay";
}
