using System.Globalization;
using HiddenPoint.Client.Api.Contract;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>One message the runner handed to a sender's daemon (its <c>send</c> call).</summary>
/// <param name="Phase">The scenario's label for the time it was sent (net-std: the loss level).</param>
/// <param name="CreatedAt">When the sender's daemon stored it in its outbox (its answer's <c>createdAt</c>).</param>
/// <param name="Certain">False when the daemon went away during the call: it may or may not have stored it, so it is not counted as sent, and counted delivered only if it arrives.</param>
internal sealed record SentMessage(string Phase, string From, string To, int N, DateTimeOffset CreatedAt, bool Certain);

/// <summary>One message as the receiver's store holds it (its history).</summary>
/// <param name="StoredAt">When the receiver stored it (its history's <c>storedAt</c>).</param>
internal sealed record ReceivedMessage(string From, string To, int N, DateTimeOffset StoredAt);

/// <summary>
/// Conversations between the testnet's users, driven through their daemons' local API: each pair (from, to) sends
/// numbered messages (<see cref="MessageText"/>) at a steady rate; at the end, <see cref="DrainAsync"/> waits until
/// every daemon has delivered its outbox and <see cref="ReadBackAsync"/> reads every receiver's history to count what
/// arrived, how often, in which order and whether intact. A call to a daemon that is down is skipped and counted.
/// </summary>
internal sealed class ConversationTraffic
{
    private readonly IReadOnlyDictionary<string, UserApi> _users;
    private readonly int _seed;
    private readonly int _size;
    private readonly TimeProvider _clock;
    private readonly List<SentMessage> _sent = [];
    private readonly Lock _sentLock = new();
    private readonly Dictionary<(string From, string To), int> _next = [];
    private readonly List<Task> _loops = [];
    private CancellationTokenSource? _running;
    private int _skippedWhileDown;

    public ConversationTraffic(IReadOnlyDictionary<string, UserApi> users, int seed, int size, TimeProvider clock)
    {
        _users = users;
        _seed = seed;
        _size = size;
        _clock = clock;
    }

    /// <summary>The label given to messages sent from now on.</summary>
    public string Phase { get; set; } = "";

    /// <summary>Sends skipped because the sender's daemon was down.</summary>
    public int SkippedWhileDown => Volatile.Read(ref _skippedWhileDown);

    public IReadOnlyList<SentMessage> Sent
    {
        get
        {
            lock (_sentLock)
            {
                return [.. _sent];
            }
        }
    }

    /// <summary>Every ordered pair of the users: each talks to every other.</summary>
    public IReadOnlyList<(string From, string To)> AllPairs =>
        [.. _users.Keys.SelectMany(from => _users.Keys.Where(to => to != from).Select(to => (from, to)))];

    /// <summary>Starts each pair sending <paramref name="perSecond"/> messages a second until <see cref="StopAsync"/>.</summary>
    public void Start(IEnumerable<(string From, string To)> pairs, double perSecond, CancellationToken cancel)
    {
        _running = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var period = TimeSpan.FromSeconds(1 / perSecond);
        foreach (var pair in pairs)
        {
            _loops.Add(SendSteadilyAsync(pair.From, pair.To, period, _running.Token));
        }
    }

    /// <summary>Each pair sends exactly <paramref name="count"/> messages, <paramref name="perSecond"/> a second.</summary>
    public async Task SendPacedAsync(IEnumerable<(string From, string To)> pairs, int count, double perSecond, CancellationToken cancel)
    {
        var period = TimeSpan.FromSeconds(1 / perSecond);
        await Task.WhenAll(pairs.Select(async pair =>
        {
            var started = _clock.GetTimestamp();
            for (var i = 1; i <= count; i++)
            {
                await SendOneAsync(pair.From, pair.To, cancel).ConfigureAwait(false);
                var wait = (period * i) - _clock.GetElapsedTime(started);
                if (wait > TimeSpan.Zero && i < count)
                {
                    await Task.Delay(wait, _clock, cancel).ConfigureAwait(false);
                }
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Stops the sending started by <see cref="Start"/>, after the calls in flight answer.</summary>
    public async Task StopAsync()
    {
        if (_running is null)
        {
            return;
        }

        await _running.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _loops.Clear();
        _running.Dispose();
        _running = null;
    }

    /// <summary>Sends <paramref name="count"/> messages from one user to another as fast as its daemon takes them.</summary>
    public async Task SendBurstAsync(string from, string to, int count, CancellationToken cancel)
    {
        for (var i = 0; i < count; i++)
        {
            await SendOneAsync(from, to, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until every receiver holds at least what was sent to it and every sender's outbox is empty (nothing
    /// queued or unacknowledged), for at most <paramref name="limit"/>; false if that did not happen in time.
    /// </summary>
    public async Task<bool> DrainAsync(TimeSpan limit, CancellationToken cancel)
    {
        var expected = Sent.Where(s => s.Certain).GroupBy(s => s.To).ToDictionary(g => g.Key, g => g.Count());
        var deadline = _clock.GetUtcNow() + limit;
        while (true)
        {
            var done = true;
            foreach (var (name, api) in _users)
            {
                try
                {
                    var counts = (await api.StatusAsync(cancel).ConfigureAwait(false)).Counts;
                    done &= counts.Queued == 0 && counts.Sent == 0 && counts.Received >= expected.GetValueOrDefault(name);
                }
                catch (DaemonDownException)
                {
                    done = false;
                }
            }

            if (done)
            {
                return true;
            }

            if (_clock.GetUtcNow() > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), _clock, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Reads every receiver's history with every sender: what each stored, in its order.</summary>
    public async Task<List<ReceivedMessage>> ReadBackAsync(CancellationToken cancel)
    {
        var received = new List<ReceivedMessage>();
        foreach (var (from, to) in AllPairs)
        {
            var history = await _users[to].WholeHistoryAsync(_users[from].User.Identity, cancel).ConfigureAwait(false);
            foreach (var entry in history.Where(e => e.Direction == ApiDirection.Incoming))
            {
                var n = MessageText.NumberIn(entry.Text, from, to);

                // A text that is not exactly the one the sender's n-th message must carry is marked by n = -1.
                var intact = n is { } number && !entry.Damaged && entry.Text == MessageText.Of(_seed, from, to, number, _size);
                received.Add(new ReceivedMessage(from, to, intact ? n!.Value : -1, entry.StoredAt));
            }
        }

        return received;
    }

    private async Task SendSteadilyAsync(string from, string to, TimeSpan period, CancellationToken cancel)
    {
        var started = _clock.GetTimestamp();
        for (var tick = 1L; !cancel.IsCancellationRequested; tick++)
        {
            try
            {
                await SendOneAsync(from, to, cancel).ConfigureAwait(false);
                var wait = (period * tick) - _clock.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _clock, cancel).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task SendOneAsync(string from, string to, CancellationToken cancel)
    {
        var api = _users[from];
        if (!api.IsUp)
        {
            Interlocked.Increment(ref _skippedWhileDown);
            return;
        }

        int n;
        lock (_sentLock)
        {
            n = _next[(from, to)] = _next.GetValueOrDefault((from, to)) + 1;
        }

        var text = MessageText.Of(_seed, from, to, n, _size);
        SentMessage record;
        try
        {
            // The call is not cancelled with the run: a message half-handed to the daemon would be uncertain.
            var sent = await api.SendAsync(_users[to].User.Identity, text, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30), cancel).ConfigureAwait(false);
            record = new SentMessage(Phase, from, to, n, sent.CreatedAt, Certain: true);
        }
        catch (Exception e) when (e is DaemonDownException or TimeoutException or OperationCanceledException)
        {
            // Handed over or not, the answer never came: counted delivered only if it arrives.
            record = new SentMessage(Phase, from, to, n, _clock.GetUtcNow(), Certain: false);
        }

        lock (_sentLock)
        {
            _sent.Add(record);
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{_users.Count} users, {Sent.Count} messages handed over");
}
