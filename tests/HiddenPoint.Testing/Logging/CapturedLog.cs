using Microsoft.Extensions.Logging;

namespace HiddenPoint.Testing;

/// <summary>A log line as an operator would read it, with the exception it carried.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId Id, string Message, Exception? Exception)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Level} {Category} [{Id.Id} {Id.Name}] {Message}" + (Exception is null ? "" : " — " + Exception);
}
