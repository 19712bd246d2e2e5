using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Relay.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Tests.Hosting;

/// <summary>A temporary data directory, deleted with everything in it.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hpc-relay-tests-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

internal static class HostingFixtures
{
    public static RelayIdentityKey WriteIdentity(string folder)
    {
        var key = RelayIdentityKey.Generate();
        KeyFile.Write(key, System.IO.Path.Combine(folder, "identity.key"));
        return key;
    }

    public static RelayOptions Options(string folder, params (string Nickname, string Address, AuthorityId Id)[] authorities) => new()
    {
        DataDirectory = folder,
        Nickname = "TestRelay",
        ListenAddress = "127.0.0.1",
        ListenPort = 0,
        Authorities = [.. authorities.Select(a => new RelayAuthorityOptions { Nickname = a.Nickname, Address = a.Address, Identity = a.Id.ToString() })],
    };

    /// <summary>Runs the built hpc-relay program as a child process.</summary>
    public static Process StartRelay(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ChildProgram.Locate("hpc-relay"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The child reads HPC_RELAY__ variables: none may leak in from the test's environment.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("HPC_RELAY__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunRelayAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        using var process = StartRelay(args, environment);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TestTimeouts.Host);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}

/// <summary>Options that never change, as an <see cref="IOptionsMonitor{T}"/>.</summary>
internal sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue { get; } = value;

    public T Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}

/// <summary>Keeps every log line, so that tests can check what an operator would read.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public event Action<(LogLevel Level, EventId Id, string Message)>? Logged;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = (logLevel, eventId, formatter(state, exception));
        Lines.Enqueue(line);
        Logged?.Invoke(line);
    }
}
