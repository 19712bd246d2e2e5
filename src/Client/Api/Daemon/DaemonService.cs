using System.Diagnostics.Metrics;
using HiddenPoint.Client.Api.Server;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Api.Daemon;

/// <summary>
/// The daemon's one service: starts the messenger (the store first: its lock keeps a second daemon off the data
/// directory), then the local API on the socket; stops in the other order, so no call reaches a messenger being
/// disposed, and what is pending stays queued in the store.
/// </summary>
internal sealed class DaemonService(
    IOptions<MessengerOptions> messengerOptions,
    IOptions<ClientApiOptions> apiOptions,
    PassphraseSource passphrase,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory,
    IMeterFactory meterFactory) : IHostedService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("HiddenPoint.Client.Daemon");
    private Messenger? _messenger;
    private ClientApiServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = messengerOptions.Value;
        DaemonLog.Starting(_logger, options.DataDirectory);
        var progress = new SynchronousProgress(step => DaemonLog.StartupStep(_logger, step));
        _messenger = await Messenger.StartAsync(options, passphrase, timeProvider, loggerFactory, meterFactory, progress, cancellationToken).ConfigureAwait(false);
        try
        {
            _server = ClientApiServer.Start(options.DataDirectory, _messenger, apiOptions.Value, timeProvider, _logger);
        }
        catch
        {
            await _messenger.DisposeAsync().ConfigureAwait(false);
            _messenger = null;
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        DaemonLog.Stopping(_logger);
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        if (_messenger is not null)
        {
            await _messenger.DisposeAsync().ConfigureAwait(false);
        }

        DaemonLog.Stopped(_logger);
    }

    // Progress<T> posts to the thread pool; the steps are logged in order, as they begin.
    private sealed class SynchronousProgress(Action<MessengerStartupStep> report) : IProgress<MessengerStartupStep>
    {
        public void Report(MessengerStartupStep value) => report(value);
    }
}
