using System.Diagnostics.Metrics;

namespace HiddenPoint.Relay.Diagnostics;

/// <summary>
/// The host's instruments on the <see cref="RelayTelemetry.MeterName"/> meter: descriptor uploads, consensus downloads
/// and key rotations, counted by outcome. Authorities are not a tag (an operator reads which one from the log).
/// </summary>
internal sealed class RelayHostMetrics
{
    private readonly Counter<long> _uploads;
    private readonly Counter<long> _fetches;
    private readonly Counter<long> _rotations;

    public RelayHostMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(RelayTelemetry.MeterName);
        _uploads = meter.CreateCounter<long>("hpc.relay.descriptor.uploads", "{upload}", "Descriptor uploads to authorities, by outcome (accepted, refused, failed).");
        _fetches = meter.CreateCounter<long>("hpc.relay.consensus.fetches", "{fetch}", "Consensus downloads, by outcome (taken, not_newer, refused, failed).");
        _rotations = meter.CreateCounter<long>("hpc.relay.key.rotations", "{rotation}", "Key rotations, by key (link, circuit_handshake).");
    }

    public void Upload(string outcome) => _uploads.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Fetch(string outcome) => _fetches.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Rotation(string key) => _rotations.Add(1, new KeyValuePair<string, object?>("key", key));
}
