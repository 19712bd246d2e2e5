namespace HiddenPoint.Testing;

/// <summary>The bound on every wait in the tests: long enough for a loaded 2-core machine, short enough to fail fast.</summary>
public static class TestTimeouts
{
    /// <summary>How long one step may take before a test fails.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(15);

    /// <summary>Waits for <paramref name="task"/> at most <see cref="Step"/> (a <see cref="TimeoutException"/> after that).</summary>
    public static Task<T> Within<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.WaitAsync(Step);
    }
}
