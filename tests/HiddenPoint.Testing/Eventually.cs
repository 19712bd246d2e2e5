namespace HiddenPoint.Testing;

/// <summary>Waits for a condition that moves with background work and raises no event, polling within a bounded time.</summary>
public static class Eventually
{
    /// <summary>Returns once <paramref name="condition"/> holds; throws a <see cref="TimeoutException"/> naming <paramref name="what"/> after <see cref="TestTimeouts.Step"/>.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + TestTimeouts.Step;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException("Timed out waiting for: " + what);
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }
}
