using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.DirectoryAuthority.Hosting;

/// <summary>
/// Writes the descriptors to disk soon after an upload is accepted, so a crash loses at most
/// <see cref="AuthorityOptions.DescriptorFlushDelay"/> of uploads. Uploads that arrive during the delay are written
/// together: the whole file is rewritten each time (atomically), so writing once per upload would cost too much when
/// many relays publish at once.
/// </summary>
internal sealed partial class DescriptorPersistence : BackgroundService
{
    private readonly AuthorityState _state;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _delay;
    private readonly ILogger<DescriptorPersistence> _logger;
    private readonly Channel<bool> _accepted = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public DescriptorPersistence(AuthorityState state, TimeProvider clock, IOptions<AuthorityOptions> options, ILogger<DescriptorPersistence> logger)
    {
        _state = state;
        _clock = clock;
        _delay = options.Value.DescriptorFlushDelay;
        _logger = logger;
    }

    /// <summary>Called after each accepted upload; cheap and never blocks.</summary>
    public void Notify() => _accepted.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _accepted.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                _accepted.Reader.TryRead(out _);
                if (_delay > TimeSpan.Zero)
                {
                    await Task.Delay(_delay, _clock, stoppingToken).ConfigureAwait(false);
                }

                Save();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Save();
        }
    }

    private void Save()
    {
        try
        {
            _state.SaveDescriptorsIfDirty();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next accepted upload, the next round or the shutdown tries again.
            Log.SaveFailed(_logger, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2010, LogLevel.Error, "Could not save the descriptors", EventName = "DescriptorSaveFailed")]
        public static partial void SaveFailed(ILogger logger, Exception exception);
    }
}
