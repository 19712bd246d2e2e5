using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.DirectoryAuthority.Tests;

/// <summary>
/// Several authorities configured to know one another, each a real hpc-directory host on its own loopback port,
/// started and stopped one by one. Each authority's log events are recorded so tests await rounds rather than sleep.
/// </summary>
internal sealed class AuthorityNetwork : IAsyncDisposable
{
    private readonly WebApplication?[] _apps;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public AuthorityNetwork(string root, int count, TimeSpan interval, Action<AuthorityOptions>? configure = null)
    {
        var members = Enumerable.Range(1, count).Select(n =>
        {
            var folder = Path.Combine(root, "auth" + n);
            using var key = AuthorityIdentityKey.Generate();
            KeyFile.Write(key, Path.Combine(folder, AuthorityState.KeyFileName));
            return (Nickname: "auth" + n, Folder: folder, key.Id, Port: LoopbackPorts.Unused());
        }).ToArray();
        Pinned = [.. members.Select(m => m.Id)];
        Ports = [.. members.Select(m => m.Port)];
        Options = [.. members.Select(self =>
        {
            var options = new AuthorityOptions
            {
                DataDirectory = self.Folder,
                Nickname = self.Nickname,
                Listen = "127.0.0.1:" + self.Port,
                VotingInterval = interval,
                Testnet = true,
                Authorities = [.. members.Where(m => m.Nickname != self.Nickname).Select(m => new PeerAuthorityOptions
                {
                    Nickname = m.Nickname,
                    Address = "127.0.0.1:" + m.Port,
                    Identity = m.Id.ToString(),
                })],
            };
            configure?.Invoke(options);
            return options;
        })];
        Events = [.. members.Select(_ => new EventRecorder())];
        _apps = new WebApplication?[count];
    }

    public AuthorityId[] Pinned { get; }

    public int[] Ports { get; }

    public AuthorityOptions[] Options { get; }

    public EventRecorder[] Events { get; }

    public async Task StartAsync(params int[] which)
    {
        foreach (var index in which)
        {
            var recorder = Events[index];
            _apps[index] = DirectoryHost.Build(Options[index], TimeProvider.System, logging =>
            {
                logging.ClearProviders();
                logging.AddProvider(recorder);
            });
        }

        await Task.WhenAll(which.Select(i => _apps[i]!.StartAsync())).WaitAsync(TestTimeouts.Host).ConfigureAwait(false);
    }

    public async Task StopAsync(int index)
    {
        if (_apps[index] is { } app)
        {
            _apps[index] = null;
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await app.StopAsync(stop.Token).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    public T Service<T>(int index)
        where T : notnull => _apps[index]!.Services.GetRequiredService<T>();

    public async Task<byte[]?> ConsensusAsync(int index)
    {
        using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{Ports[index]}/hpc/consensus")).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false) : null;
    }

    public async Task<HttpStatusCode> UploadAsync(int index, byte[] descriptor)
    {
        using var content = new ByteArrayContent(descriptor);
        using var response = await _http.PostAsync(new Uri($"http://127.0.0.1:{Ports[index]}/hpc/descriptor"), content).ConfigureAwait(false);
        return response.StatusCode;
    }

    public async Task<byte[]> DescriptorsAsync(int index)
    {
        using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{Ports[index]}/hpc/descriptors")).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Enumerable.Range(0, _apps.Length).Select(StopAsync)).ConfigureAwait(false);
        _http.Dispose();
    }

}

/// <summary>Records an authority's log events (by event name) and lets a test await the next ones.</summary>
internal sealed class EventRecorder : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly List<string> _events = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The position after the events recorded so far.</summary>
    public int Mark()
    {
        lock (_lock)
        {
            return _events.Count;
        }
    }

    /// <summary>The events named <paramref name="names"/> recorded from <paramref name="mark"/> on.</summary>
    public int Count(int mark, params string[] names)
    {
        lock (_lock)
        {
            return _events.Skip(mark).Count(names.Contains);
        }
    }

    /// <summary>Waits until <paramref name="count"/> events named one of <paramref name="names"/> are recorded from <paramref name="mark"/> on.</summary>
    public async Task WaitAsync(int mark, int count, TimeSpan timeout, params string[] names)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_events.Skip(mark).Count(names.Contains) >= count)
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Waited {timeout} for {count} × {string.Join('/', names)}; saw: {string.Join(", ", Snapshot().Skip(mark))}");
            }
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_lock)
        {
            return [.. _events];
        }
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    public void Dispose()
    {
    }

    private void Record(string name)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _events.Add(name);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private sealed class Recorder(EventRecorder owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name is { } name)
            {
                owner.Record(name);
            }
        }
    }
}
