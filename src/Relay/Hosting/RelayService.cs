using System.Net;
using HiddenPoint.Relay.Circuits;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Hosting;

/// <summary>
/// Runs the relay engine for the host's lifetime. Starts the listener on <see cref="RelayOptions.ListenAddress"/>:
/// <see cref="RelayOptions.ListenPort"/>; on shutdown stops accepting at once, lets open circuits finish for up to
/// <see cref="RelayOptions.ShutdownWaitLength"/>, then destroys what remains.
/// </summary>
internal sealed class RelayService : BackgroundService
{
    private readonly RelayEngine _engine;
    private readonly RelayOptions _options;
    private readonly RelayListenerState _listener;
    private readonly ILogger _logger;
    private bool _started;
    private int _stopping;

    public RelayService(RelayEngine engine, IOptions<RelayOptions> options, RelayListenerState listener, ILogger<RelayService> logger)
    {
        _engine = engine;
        _options = options.Value;
        _listener = listener;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listen = new IPEndPoint(_options.ParsedListenAddress!, _options.ListenPort);
        await _engine.StartAsync(listen, stoppingToken).ConfigureAwait(false);
        _started = true;
        var bound = _engine.LocalEndPoint ?? listen;
        _listener.SetBound(bound);
        var advertised = _options.Advertised(bound.Port);
        RelayLog.Listening(_logger, bound, advertised);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host may ask twice (a stop, then its disposal); the drain runs once.
        if (_started && Interlocked.Exchange(ref _stopping, 1) == 0)
        {
            _engine.StopAccepting();
            var open = _engine.OpenCircuits;
            RelayLog.Draining(_logger, open, _options.ShutdownWaitLength);
            if (open > 0 && _options.ShutdownWaitLength > TimeSpan.Zero)
            {
                try
                {
                    await _engine.DrainAsync(_options.ShutdownWaitLength, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }

            var remaining = _engine.OpenCircuits;
            await _engine.DisposeAsync().ConfigureAwait(false);
            RelayLog.Stopped(_logger, remaining);
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }
}
