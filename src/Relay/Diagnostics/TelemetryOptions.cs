using System.Net;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Diagnostics;

/// <summary>
/// Where the relay's metrics go (section <c>Telemetry</c>). Nothing is exported unless configured here; the meters
/// <see cref="RelayTelemetry.MeterName"/> and <c>HiddenPoint.Network</c> carry aggregate counts only.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Telemetry";

    /// <summary>Print metrics to standard output every <see cref="ExportInterval"/> (default false).</summary>
    public bool Console { get; set; }

    /// <summary>An OTLP collector to push metrics to, e.g. <c>http://127.0.0.1:4317</c> (gRPC) (default empty: off).</summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary>OTLP transport: <c>Grpc</c> (default) or <c>HttpProtobuf</c>.</summary>
    public string OtlpProtocol { get; set; } = "Grpc";

    /// <summary>A Prometheus scrape endpoint on loopback, e.g. <c>http://127.0.0.1:9464/metrics</c> (default empty:
    /// off). Any other host is refused: the counts are for the operator alone.</summary>
    public string PrometheusEndpoint { get; set; } = "";

    /// <summary>How often pushed metrics (console, OTLP) are exported (default 60 s; 1 s–1 h).</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(60);

    internal bool AnyExporter => Console || OtlpEndpoint.Length > 0 || PrometheusEndpoint.Length > 0;
}

/// <summary>Checks <see cref="TelemetryOptions"/>; each message names the option.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    private const string P = TelemetryOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static List<string> Problems(TelemetryOptions options)
    {
        var problems = new List<string>();
        if (options.OtlpEndpoint.Length > 0 &&
            (!Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var otlp) || otlp.Scheme is not ("http" or "https")))
        {
            problems.Add($"{P}OtlpEndpoint: '{options.OtlpEndpoint}' is not an http:// or https:// URL.");
        }

        if (options.OtlpProtocol is not ("Grpc" or "HttpProtobuf"))
        {
            problems.Add($"{P}OtlpProtocol: '{options.OtlpProtocol}' is not Grpc or HttpProtobuf.");
        }

        if (options.PrometheusEndpoint.Length > 0)
        {
            if (!Uri.TryCreate(options.PrometheusEndpoint, UriKind.Absolute, out var scrape) || scrape.Scheme != "http" ||
                scrape.IsDefaultPort || scrape.Query.Length > 0)
            {
                problems.Add($"{P}PrometheusEndpoint: '{options.PrometheusEndpoint}' is not a URL like http://127.0.0.1:9464/metrics.");
            }
            else if (!IsLoopback(scrape))
            {
                problems.Add($"{P}PrometheusEndpoint: '{scrape.Host}' is not a loopback address; the scrape endpoint is served on 127.0.0.1 or [::1] only.");
            }
        }

        if (options.ExportInterval < TimeSpan.FromSeconds(1) || options.ExportInterval > TimeSpan.FromHours(1))
        {
            problems.Add($"{P}ExportInterval: {options.ExportInterval} is not from 00:00:01 to 01:00:00.");
        }

        return problems;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 &&
        IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
}
