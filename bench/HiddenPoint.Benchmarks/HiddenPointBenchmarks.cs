using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Connecting;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Streams;
using HiddenPoint.Testing;
using HiddenPoint.Testing.Network;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// A hidden point end to end in one process: eight relays on loopback with the real introduction-point,
/// rendezvous-point and HSDir roles (<see cref="HiddenPointTestNetwork"/>), a host (<see cref="HostedHiddenPoint"/>,
/// published in the setup) that echoes every stream, and a client (<see cref="HiddenPointConnector"/>). Host and client
/// each have their own circuit builder, guards and links; the client's pool is off and the connector caches no
/// descriptor, so every connect builds all its circuits and fetches the descriptor.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HiddenPointBenchmarks
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);
    private readonly byte[] _oneByte = [42];
    private readonly byte[] _echoed = new byte[100];
    private readonly byte[] _payload = [.. Enumerable.Range(0, 100).Select(i => (byte)i)];
    private HiddenPointTestNetwork _network = null!;
    private BenchClientCircuits _hostCircuits = null!;
    private BenchClientCircuits _clientCircuits = null!;
    private HiddenPointIdentityKey _identity = null!;
    private HostedHiddenPoint _host = null!;
    private Task _serving = null!;
    private HiddenPointConnector _connector = null!;
    private string _hiddenId = null!;
    private HiddenPointConnection _connection = null!;
    private CircuitStream _stream = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    /// <summary>Connect by hidden-id (descriptor fetch, rendezvous, introduction, join), open a stream, send one byte, read
    /// its echo, close the connection.</summary>
    [Benchmark]
    public async Task ConnectAndFirstEcho()
    {
        var connection = await _connector.ConnectAsync(_hiddenId).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var stream = await connection.OpenStreamAsync(80).ConfigureAwait(false);
            await stream.Output.WriteAsync(_oneByte).ConfigureAwait(false);
            await StreamIo.ReadExactlyAsync(stream.Input, _echoed.AsMemory(0, 1)).ConfigureAwait(false);
            await connection.CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>100 bytes from client to host and their echo back, on a stream of an established connection.</summary>
    [Benchmark]
    public async Task RoundTrip100Bytes()
    {
        await _stream.Output.WriteAsync(_payload).ConfigureAwait(false);
        await StreamIo.ReadExactlyAsync(_stream.Input, _echoed).ConfigureAwait(false);
    }

    private async Task SetupAsync()
    {
        _network = await HiddenPointTestNetwork.StartAsync(8).ConfigureAwait(false);
        _hostCircuits = BenchClientCircuits.Create(_network.ConsensusSource, new CircuitBuilderOptions());
        _clientCircuits = BenchClientCircuits.Create(_network.ConsensusSource, new CircuitBuilderOptions { PoolSize = 0 });

        // Publishing settles quickly, as in the hidden-point network tests; everything else is the default.
        _identity = HiddenPointIdentityKey.Generate();
        var hosting = new HostingOptions { PublishSettleDelay = TimeSpan.FromMilliseconds(500), IntroductionRetryDelay = TimeSpan.FromMilliseconds(50) };
        _host = new HostedHiddenPoint(_identity, _hostCircuits.Builder, _network.ConsensusSource, Options.Create(hosting), TimeProvider.System, NullLogger<HostedHiddenPoint>.Instance);
        _host.Start();
        await _host.FirstPublished.WaitAsync(StepTimeout).ConfigureAwait(false);
        _serving = Task.Run(() => ServeAsync(_host.Connections));
        _hiddenId = _host.HiddenId.ToString();

        _connector = new HiddenPointConnector(
            _clientCircuits.Builder, _network.ConsensusSource, Options.Create(new ConnectOptions()), TimeProvider.System, NullLogger<HiddenPointConnector>.Instance);
        _connection = await _connector.ConnectAsync(_hiddenId).WaitAsync(StepTimeout).ConfigureAwait(false);
        _stream = await _connection.OpenStreamAsync(80).WaitAsync(StepTimeout).ConfigureAwait(false);
    }

    private async Task CleanupAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _host.DisposeAsync().ConfigureAwait(false);
        await _serving.WaitAsync(StepTimeout).ConfigureAwait(false);
        await _clientCircuits.DisposeAsync().ConfigureAwait(false);
        await _hostCircuits.DisposeAsync().ConfigureAwait(false);
        await _network.DisposeAsync().ConfigureAwait(false);
        _identity.Dispose();
    }

    /// <summary>The host's side: every joined client is served until its circuit closes; ends when the host is disposed.</summary>
    private static async Task ServeAsync(ChannelReader<IncomingHiddenPointConnection> connections)
    {
        await foreach (var connection in connections.ReadAllAsync().ConfigureAwait(false))
        {
            _ = Task.Run(() => ServeConnectionAsync(connection));
        }
    }

    private static async Task ServeConnectionAsync(IncomingHiddenPointConnection connection)
    {
        await using (connection.ConfigureAwait(false))
        {
            await foreach (var incoming in connection.IncomingStreams.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    var stream = await incoming.AcceptAsync().ConfigureAwait(false);
                    _ = Task.Run(() => EchoAsync(stream));
                }
                catch (Exception error) when (error is IOException or InvalidOperationException)
                {
                    // The circuit closed while the stream was being accepted.
                }
            }
        }
    }

    private static async Task EchoAsync(CircuitStream stream)
    {
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                while (true)
                {
                    var read = await stream.Input.ReadAsync().ConfigureAwait(false);
                    foreach (var segment in read.Buffer)
                    {
                        await stream.Output.WriteAsync(segment).ConfigureAwait(false);
                    }

                    stream.Input.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted)
                    {
                        return;
                    }
                }
            }
            catch (Exception error) when (error is IOException or InvalidOperationException)
            {
                // The client closed the connection under the stream (its pipes complete with an error): the usual end.
            }
        }
    }
}
