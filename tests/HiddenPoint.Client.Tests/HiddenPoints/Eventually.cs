using HiddenPoint.Testing;

namespace HiddenPoint.Client.Tests.HiddenPoints;

/// <summary>Waits for a condition that moves with background work (a counter), polling within a bounded time.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Step;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for: " + what);
            await Task.Delay(10);
        }
    }
}
