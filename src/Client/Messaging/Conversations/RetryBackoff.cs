namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>
/// The wait before attempt n+1 after n failures: <c>min(max, initial × 2^(n−1))</c>, less a random fraction of at most
/// the jitter, so it is never longer than the maximum and waiting conversations spread out.
/// </summary>
internal static class RetryBackoff
{
    public static TimeSpan Delay(int failures, MessagingOptions options, Random random)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ticks = Math.Min(options.RetryMaxDelay.Ticks, options.RetryInitialDelay.Ticks * (double)(1L << exponent));
        var jittered = ticks * (1.0 - (options.RetryJitter * random.NextDouble()));
        return TimeSpan.FromTicks((long)jittered);
    }
}
