using System.Buffers;
using System.Buffers.Binary;
using HiddenPoint.Client;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Streams;
using HiddenPoint.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.NetworkBenchmark;

/// <summary>
/// The host: this program again, in a process of its own, hosting a hidden point with the client core (default options
/// but for <see cref="BenchClientOptions"/>; the pool of two included, as a user's host runs). Virtual port 7 echoes every
/// byte; port 9 is the bulk sink: an 8-byte big-endian length L, then L bytes, then one byte 0x06 back and the stream
/// closes. It tells the parent on standard output <c>hidden-id ID</c> as soon as its identity exists and <c>published</c>
/// once the descriptor is stored at an HSDir, and exits when its standard input closes (the parent is gone).
/// </summary>
internal static class HostChild
{
    public const string Mode = "--host-child";
    public const ushort EchoPort = 7;
    public const ushort SinkPort = 9;
    public const byte Acknowledgement = 0x06;
    public const string HiddenIdLine = "hidden-id ";
    public const string PublishedLine = "published";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken stop)
    {
        var authorities = args.Skip(1).Select(BenchClientOptions.Parse).ToList();
        if (authorities.Any(a => a is null))
        {
            await Console.Error.WriteLineAsync("host: an authority is not nickname,address,identity.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var running = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var parent = WatchParentAsync(running);
        using var meters = new TestMeterFactory();
        var core = ClientCore.Create(BenchClientOptions.Create(args[0], authorities!, poolSize: 2), TimeProvider.System, NullLoggerFactory.Instance, meters);
        await using (core.ConfigureAwait(false))
        {
            using var identity = HiddenPointIdentityKey.Generate();
            Console.WriteLine(HiddenIdLine + identity.IdentityPublicKey.ToHiddenId());
            try
            {
                await core.StartAsync(running.Token).ConfigureAwait(false);
                var host = core.Host(identity);
                await using (host.ConfigureAwait(false))
                {
                    var serving = ServeAsync(host, running.Token);
                    await host.FirstPublished.WaitAsync(running.Token).ConfigureAwait(false);
                    Console.WriteLine(PublishedLine);
                    await serving.ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (running.IsCancellationRequested)
            {
                // The parent closed standard input, or a signal came: the normal end.
            }
        }

        await parent.ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    // Standard input stays open as long as the parent runs: its end (the parent exited or was killed) ends the child.
    private static async Task WatchParentAsync(CancellationTokenSource running)
    {
        try
        {
            using var input = Console.OpenStandardInput();
            var buffer = new byte[64];
            while (await input.ReadAsync(buffer, running.Token).ConfigureAwait(false) > 0)
            {
            }

            await running.CancelAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task ServeAsync(HostedHiddenPoint host, CancellationToken cancel)
    {
        try
        {
            await foreach (var connection in host.Connections.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                _ = ServeConnectionAsync(connection, cancel);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task ServeConnectionAsync(IncomingHiddenPointConnection connection, CancellationToken cancel)
    {
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await foreach (var incoming in connection.IncomingStreams.ReadAllAsync(cancel).ConfigureAwait(false))
                {
                    switch (incoming.VirtualPort)
                    {
                        case EchoPort:
                            _ = ServeStreamAsync(incoming, EchoAsync, cancel);
                            break;
                        case SinkPort:
                            _ = ServeStreamAsync(incoming, SinkAsync, cancel);
                            break;
                        default:
                            incoming.Reject();
                            break;
                    }
                }

                await connection.Completion.WaitAsync(cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static async Task ServeStreamAsync(IncomingStream incoming, Func<CircuitStream, CancellationToken, Task> serve, CancellationToken cancel)
    {
        try
        {
            var stream = await incoming.AcceptAsync(cancel).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await serve(stream, cancel).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is CircuitException or IOException or InvalidOperationException or OperationCanceledException)
        {
            // The client went away or the run ends: nothing to serve any more.
        }
    }

    private static async Task EchoAsync(CircuitStream stream, CancellationToken cancel)
    {
        while (true)
        {
            var read = await stream.Input.ReadAsync(cancel).ConfigureAwait(false);
            foreach (var segment in read.Buffer)
            {
                stream.Output.Write(segment.Span);
            }

            stream.Input.AdvanceTo(read.Buffer.End);
            var flushed = await stream.Output.FlushAsync(cancel).ConfigureAwait(false);
            if (read.IsCompleted || flushed.IsCompleted)
            {
                return;
            }
        }
    }

    private static async Task SinkAsync(CircuitStream stream, CancellationToken cancel)
    {
        long? length = null;
        long received = 0;
        var header = new byte[sizeof(long)];
        while (true)
        {
            var read = await stream.Input.ReadAsync(cancel).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (length is null)
            {
                if (buffer.Length < header.Length)
                {
                    stream.Input.AdvanceTo(buffer.Start, buffer.End);
                    if (read.IsCompleted)
                    {
                        return;
                    }

                    continue;
                }

                buffer.Slice(0, header.Length).CopyTo(header);
                length = BinaryPrimitives.ReadInt64BigEndian(header);
                buffer = buffer.Slice(header.Length);
            }

            received += buffer.Length;
            stream.Input.AdvanceTo(buffer.End);
            if (received >= length)
            {
                await stream.Output.WriteAsync(new[] { Acknowledgement }, cancel).ConfigureAwait(false);
                await stream.CloseAsync(cancellationToken: cancel).ConfigureAwait(false);
                return;
            }

            if (read.IsCompleted)
            {
                return;
            }
        }
    }
}
