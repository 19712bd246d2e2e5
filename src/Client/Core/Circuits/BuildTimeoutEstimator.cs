namespace HiddenPoint.Client.Circuits;

/// <summary>
/// The circuit build timeout learned from observed build times (the idea of Tor's CBT, simpler): the last
/// <see cref="CircuitBuilderOptions.BuildTimeoutWindow"/> build times are kept; once there are
/// <see cref="CircuitBuilderOptions.BuildTimeoutMinSamples"/>, the timeout is their
/// <see cref="CircuitBuilderOptions.BuildTimeoutQuantile"/> quantile, clamped to
/// [<see cref="CircuitBuilderOptions.BuildTimeoutMin"/>, <see cref="CircuitBuilderOptions.BuildTimeoutMax"/>]; before
/// that it is <see cref="CircuitBuilderOptions.BuildTimeoutInitial"/>. An attempt abandoned at the timeout counts as a
/// build that took the timeout, so a network that slows down pushes the quantile up instead of failing every build.
/// </summary>
public sealed class BuildTimeoutEstimator
{
    private readonly Lock _gate = new();
    private readonly CircuitBuilderOptions _options;
    private readonly TimeSpan[] _recent;
    private readonly TimeSpan[] _sorted;
    private int _next;
    private int _count;
    private TimeSpan _timeout;

    /// <summary>An estimator with no samples yet.</summary>
    public BuildTimeoutEstimator(CircuitBuilderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _recent = new TimeSpan[options.BuildTimeoutWindow];
        _sorted = new TimeSpan[options.BuildTimeoutWindow];
        _timeout = options.BuildTimeoutInitial;
    }

    /// <summary>The timeout to give the next build attempt.</summary>
    public TimeSpan Timeout
    {
        get
        {
            lock (_gate)
            {
                return _timeout;
            }
        }
    }

    /// <summary>How many build times are held.</summary>
    public int Samples
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Records a completed build's duration (or an abandoned one's timeout); returns the new timeout.</summary>
    public TimeSpan Record(TimeSpan elapsed)
    {
        lock (_gate)
        {
            _recent[_next] = elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed;
            _next = (_next + 1) % _recent.Length;
            _count = Math.Min(_count + 1, _recent.Length);
            if (_count >= _options.BuildTimeoutMinSamples)
            {
                Array.Copy(_recent, _sorted, _count);
                Array.Sort(_sorted, 0, _count);
                var index = (int)Math.Ceiling(_options.BuildTimeoutQuantile * _count) - 1;
                var quantile = _sorted[Math.Clamp(index, 0, _count - 1)];
                _timeout = quantile < _options.BuildTimeoutMin ? _options.BuildTimeoutMin
                    : quantile > _options.BuildTimeoutMax ? _options.BuildTimeoutMax
                    : quantile;
            }

            return _timeout;
        }
    }
}
