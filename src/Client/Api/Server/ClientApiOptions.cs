using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Api.Server;

/// <summary>The local API's limits (configuration section <see cref="Section"/>; docs/client-api.md).</summary>
public sealed class ClientApiOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Api";

    /// <summary>API connections served at once; a connection beyond them is closed at once. 1 to 1,024; default 16.</summary>
    public int MaxConnections { get; set; } = 16;

    /// <summary>
    /// The longest line (one JSON-RPC message) a client may send, in bytes; a longer one drops the connection.
    /// 1,024 to 16,777,216; default 262,144 (a 16 KiB message escaped at its worst fits).
    /// </summary>
    public int MaxRequestBytes { get; set; } = 262_144;

    /// <summary>Requests one connection may have unanswered at once; more are answered with an error. 1 to 4,096; default 64.</summary>
    public int MaxPendingRequests { get; set; } = 64;

    /// <summary>
    /// How long writing one event to a subscribed client may take before the client, which stopped reading, is
    /// dropped. 1 s to 10 min; default 30 s.
    /// </summary>
    public TimeSpan EventWriteTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Checks <see cref="ClientApiOptions"/>; each message names the option.</summary>
public sealed class ClientApiOptionsValidator : IValidateOptions<ClientApiOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ClientApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxConnections is < 1 or > 1024)
        {
            failures.Add($"Api:MaxConnections must be 1 to 1,024 (was {options.MaxConnections}).");
        }

        if (options.MaxRequestBytes is < 1024 or > 16_777_216)
        {
            failures.Add($"Api:MaxRequestBytes must be 1,024 to 16,777,216 (was {options.MaxRequestBytes}).");
        }

        if (options.MaxPendingRequests is < 1 or > 4096)
        {
            failures.Add($"Api:MaxPendingRequests must be 1 to 4,096 (was {options.MaxPendingRequests}).");
        }

        if (options.EventWriteTimeout < TimeSpan.FromSeconds(1) || options.EventWriteTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"Api:EventWriteTimeout must be 1 s to 10 min (was {options.EventWriteTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
