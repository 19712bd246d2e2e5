using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace HiddenPoint.Client.Cli.Terminal;

/// <summary>
/// Logging and meters for a verb that runs the client core in this process. Log lines go to standard error, one per
/// line, from Warning up unless the configuration's <c>Logging</c> section says otherwise
/// (<c>--Logging:LogLevel:Default=Information</c> shows each consensus fetch); standard output stays the command's.
/// </summary>
internal sealed class CliServices : IDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="configuration">Its Logging section sets the levels.</param>
    /// <param name="quiet">Log nothing (the full-screen interface owns the terminal).</param>
    public CliServices(IConfiguration configuration, bool quiet = false)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(quiet ? LogLevel.None : LogLevel.Warning);
            if (quiet)
            {
                return;
            }

            logging.AddConfiguration(configuration.GetSection("Logging"));
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
            logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        _services = services.BuildServiceProvider();
    }

    /// <summary>Where the client core logs.</summary>
    public ILoggerFactory Loggers => _services.GetRequiredService<ILoggerFactory>();

    /// <summary>Where the client core's instruments are made (nothing exports them).</summary>
    public IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    /// <inheritdoc/>
    public void Dispose() => _services.Dispose();
}
