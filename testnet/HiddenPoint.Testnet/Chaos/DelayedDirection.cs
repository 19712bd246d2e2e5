using System.Net.Sockets;
using System.Threading.Channels;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>
/// One direction of one proxied link: reads chunks from <c>from</c> as they come and writes each to <c>to</c> at its
/// release time (read time + one-way delay, + a retransmission delay for a chunk drawn as lost), never before the
/// chunk ahead of it, so byte order holds and a lost chunk holds up those behind it as in TCP. Reading never waits
/// for writing: the delay adds latency, not a bandwidth limit (the kernel's buffers still bound what is in flight).
/// </summary>
internal static class DelayedDirection
{
    private const int ChunkSize = 16 * 1024;

    /// <summary>Forwards until either side closes or fails; then shuts down the write side of <paramref name="to"/>.</summary>
    public static async Task PumpAsync(Socket from, Socket to, Func<LinkImpairment> impairmentNow, Random random, TimeProvider clock, CancellationToken cancel)
    {
        var queue = Channel.CreateUnbounded<(long Release, byte[] Bytes)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writing = WriteAsync(queue.Reader, to, clock, cancel);
        try
        {
            var last = 0L;
            var buffer = new byte[ChunkSize];
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancel).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                // Read per chunk: a scenario may change the impairment while links are open (net-std's loss levels).
                var impairment = impairmentNow();
                var delay = impairment.OneWayDelay;
                if (impairment.LossProbability > 0 && random.NextDouble() < impairment.LossProbability)
                {
                    delay += impairment.RetransmissionDelay;
                }

                var release = Math.Max(last, clock.GetTimestamp() + (long)(delay.TotalSeconds * clock.TimestampFrequency));
                last = release;
                queue.Writer.TryWrite((release, buffer.AsSpan(0, read).ToArray()));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The link ended on this side: what was read still goes out, then the other side sees the end.
        }
        finally
        {
            queue.Writer.TryComplete();
        }

        await writing.ConfigureAwait(false);
    }

    private static async Task WriteAsync(ChannelReader<(long Release, byte[] Bytes)> queue, Socket to, TimeProvider clock, CancellationToken cancel)
    {
        try
        {
            await foreach (var (release, bytes) in queue.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                var wait = release - clock.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / clock.TimestampFrequency), clock, cancel).ConfigureAwait(false);
                }

                await to.SendAsync(bytes, SocketFlags.None, cancel).ConfigureAwait(false);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The other side is gone: nothing left to deliver to.
        }
    }
}
