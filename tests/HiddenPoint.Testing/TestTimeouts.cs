namespace HiddenPoint.Testing;

/// <summary>The bounds on every wait in the tests: long enough for a loaded 2-core machine, short enough to fail fast.</summary>
public static class TestTimeouts
{
    /// <summary>How long one step may take before a test fails.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a step may take that waits out timeouts of its own or starts whole hosts: a host or a process starting
    /// and stopping, a publishing or fetching round, a reachability round that lets handshakes time out.
    /// </summary>
    public static readonly TimeSpan Host = TimeSpan.FromSeconds(30);

    /// <summary>Waits for <paramref name="task"/> at most <paramref name="bound"/> (<see cref="Step"/> by default); a <see cref="TimeoutException"/> after that.</summary>
    public static Task<T> Within<T>(Task<T> task, TimeSpan? bound = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.WaitAsync(bound ?? Step);
    }
}
