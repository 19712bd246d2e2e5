namespace HiddenPoint.Client.HiddenPoints;

/// <summary>
/// A step's time limit on the injected clock, joined with the caller's cancellation: <see cref="Token"/> fires at
/// whichever comes first, and <see cref="Expired"/> tells a timeout from the caller giving up.
/// </summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _outer;

    public Deadline(TimeSpan limit, TimeProvider time, CancellationToken cancellationToken)
    {
        _outer = cancellationToken;
        _timer = new CancellationTokenSource(limit, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
    }

    /// <summary>Fires at the limit or when the caller cancels.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>True when the limit passed while the caller had not cancelled.</summary>
    public bool Expired => _timer.IsCancellationRequested && !_outer.IsCancellationRequested;

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
