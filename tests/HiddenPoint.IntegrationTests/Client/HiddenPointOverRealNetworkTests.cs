using System.Diagnostics;
using HiddenPoint.Client;
using HiddenPoint.Client.Directory;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Testing.Network;
using HiddenPoint.Network.Streams;
using HiddenPoint.Testing;
using Xunit.Abstractions;

namespace HiddenPoint.IntegrationTests.Client;

/// <summary>
/// The whole client core over the network operators run: three real authorities and eight relay hosts in this process
/// (each relay on its own 127.N.0.1), a host and a client each with its own <see cref="ClientCore"/> (bootstrap,
/// guards, vanguards, the circuit builder). The host publishes its hidden point; the client reaches it by hidden-id and
/// two streams carry data both ways at once.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Disposed in IAsyncLifetime.DisposeAsync, which xunit calls after each test.")]
public sealed class HiddenPointOverRealNetworkTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hpc-hidden-point-network-" + Guid.NewGuid().ToString("N"));
    private readonly TestMeterFactory _meters = new();
    private readonly LogCapture _logs = new();
    private InProcessNetwork? _network;

    [Fact]
    public async Task A_client_reaches_a_host_by_hidden_id_through_real_authorities_and_relays_and_two_streams_carry_data_both_ways()
    {
        _network = await InProcessNetwork.StartAsync(authorities: 3, relays: 8, votingInterval: TimeSpan.FromSeconds(4));
        await _network.WaitUntilReadyAsync();

        await using var hostCore = Core("host");
        await using var clientCore = Core("client");
        await Task.WhenAll(hostCore.StartAsync(CancellationToken.None), clientCore.StartAsync(CancellationToken.None)).WaitAsync(InProcessNetwork.Ready);

        using var identity = HiddenPointIdentityKey.Generate();
        await using var host = hostCore.Host(identity);
        await host.FirstPublished.WaitAsync(InProcessNetwork.Ready);
        Assert.Contains(host.LastUploads, upload => upload.Outcome == HsDirUploadOutcome.Stored);

        var clock = Stopwatch.StartNew();
        var accepted = host.Connections.ReadAsync().AsTask();
        await using var connection = await clientCore.Connector.ConnectAsync(host.HiddenId.ToString()).WaitAsync(TestTimeouts.Step);
        await using var incoming = await accepted.WaitAsync(TestTimeouts.Step);
        output.WriteLine($"connected in {clock.Elapsed.TotalMilliseconds:0} ms (fresh descriptor fetch, circuits from the pool where ready)");
        Assert.Equal(connection.ChannelBinding.ToArray(), incoming.ChannelBinding.ToArray());

        var first = await OpenAsync(connection, incoming, 80);
        var second = await OpenAsync(connection, incoming, 443);
        var payloads = Enumerable.Range(1, 4).Select(seed => Payload(200_000, seed)).ToArray();
        try
        {
            await Task.WhenAll(
                TransferAsync(first.Client, first.Host, payloads[0]),
                TransferAsync(first.Host, first.Client, payloads[1]),
                TransferAsync(second.Client, second.Host, payloads[2]),
                TransferAsync(second.Host, second.Client, payloads[3])).WaitAsync(TestTimeouts.Step);
        }
        catch (Exception)
        {
            // What the two cores logged says which side closed what, and why.
            output.WriteLine($"client circuit: {State(connection.Circuit.Completion)}, host circuit: {State(incoming.Completion)}");
            foreach (var line in _logs.Lines)
            {
                output.WriteLine(line.ToString());
            }

            throw;
        }
    }

    // xunit v2 disposes a test class through IAsyncLifetime (it never calls IAsyncDisposable.DisposeAsync).
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_network is not null)
        {
            await _network.DisposeAsync();
        }

        _meters.Dispose();
        _logs.Dispose();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static async Task<(CircuitStream Client, CircuitStream Host)> OpenAsync(
        HiddenPoint.Client.Connecting.HiddenPointConnection connection, IncomingHiddenPointConnection incoming, ushort port)
    {
        var opening = connection.OpenStreamAsync(port);
        var atHost = await incoming.AcceptStreamAsync().WaitAsync(TestTimeouts.Step);
        var atClient = await opening.WaitAsync(TestTimeouts.Step);
        return (atClient, atHost);
    }

    private static async Task TransferAsync(CircuitStream from, CircuitStream to, byte[] payload)
    {
        var writing = StreamIo.WriteAllAsync(from.Output, payload);
        var received = await StreamIo.ReadExactlyAsync(to.Input, payload.Length);
        await writing;
        Assert.Equal(payload, received);
    }

    private static string State(Task<HiddenPoint.Network.Circuits.CircuitCloseReason> completion) =>
        completion.IsCompletedSuccessfully ? completion.GetAwaiter().GetResult().ToString() : "open";

    private static byte[] Payload(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private ClientCore Core(string name)
    {
        var directory = new ClientDirectoryOptions
        {
            Authorities = [.. _network!.Authorities.Select(a => new ClientAuthorityOptions { Nickname = a.Nickname, Address = "127.0.0.1:" + a.Port, Identity = a.Id.ToString() })],
            RetryInitial = TimeSpan.FromMilliseconds(250),
        };
        return ClientCore.Create(
            new ClientCoreOptions { DataDirectory = Path.Combine(_data, name), Directory = directory },
            TimeProvider.System,
            _logs,
            _meters);
    }
}
