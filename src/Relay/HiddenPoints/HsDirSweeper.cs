using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.HiddenPoints;

/// <summary>
/// Drops expired descriptors, and the revision floors of evicted ones that would have expired by now, from the
/// <see cref="HsDirStore"/> every <see cref="HsDirStoreOptions.SweepInterval"/>. The store only drops them as a side
/// effect of uploads and fetches; without the sweep an idle HSDir would keep their bytes, and their claim on the
/// memory limit, until its next upload. Register as a hosted service.
/// </summary>
public sealed class HsDirSweeper : BackgroundService
{
    private readonly HsDirStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;

    /// <summary>Creates the sweeper; <see cref="BackgroundService.StartAsync"/> starts its loop.</summary>
    /// <param name="store">The store to sweep.</param>
    /// <param name="options">The sweep interval (validated here).</param>
    /// <param name="timeProvider">The clock the interval is measured on.</param>
    public HsDirSweeper(HsDirStore store, IOptions<HsDirStoreOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Value.Validate();
        _store = store;
        _time = timeProvider;
        _interval = options.Value.SweepInterval;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                _store.RemoveExpired();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
