using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using HiddenPoint.Client.Api.Connecting;
using HiddenPoint.Client.Api.Contract;
using HiddenPoint.Client.Api.Daemon;
using HiddenPoint.Testing.Network;
using Xunit.Abstractions;

namespace HiddenPoint.IntegrationTests.ClientDaemon;

/// <summary>
/// Two real <c>hpc-client daemon</c> processes, alice and bob, on a real network in this process (three authorities,
/// eight relays on 127.N.0.1), driven only through their local APIs: a contact request carrying its first message, an
/// accepted reply, delivery acknowledgements; an outbox that survives kill -9 and is delivered once and in order after
/// restart; the socket's permissions and its refusal of another user.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
#pragma warning disable CA1001 // Disposed by xunit through IAsyncLifetime.DisposeAsync.
public sealed class DaemonOverRealNetworkTests(ITestOutputHelper output) : IAsyncLifetime
#pragma warning restore CA1001
{
    private const string AlicePassphrase = "alice's passphrase";
    private const string BobPassphrase = "bob's passphrase";

    private readonly PrivateTempFolder _root = new("hpc-daemons-");
    private readonly List<DaemonProcess> _daemons = [];
    private readonly List<ClientApiConnection> _connections = [];
    private InProcessNetwork? _network;

    [Fact]
    public async Task Two_daemons_exchange_messages_through_their_apis_and_an_outbox_killed_with_kill_9_is_delivered_once_and_in_order()
    {
        _network = await InProcessNetwork.StartAsync(authorities: 3, relays: 8, votingInterval: TimeSpan.FromSeconds(4));
        await _network.WaitUntilReadyAsync();
        var authorities = _network.Authorities.Select(a => (a.Nickname, "127.0.0.1:" + a.Port, a.Id.ToString())).ToList();
        var aliceData = _root.File("alice");
        var bobData = _root.File("bob");
        DaemonProcess.Configure(aliceData, authorities);
        DaemonProcess.Configure(bobData, authorities);

        var alice = Start(aliceData, AlicePassphrase);
        var bob = Start(bobData, BobPassphrase);
        try
        {
            var aliceApi = await ConnectAsync(alice);
            var bobApi = await ConnectAsync(bob);

            // The socket: born owner-only, and only the daemon's user is served.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(alice.SocketPath));
            await CheckAnotherUserIsRefusedAsync(alice);
            await CheckRawExchangeAsync(alice, aliceApi);
            await CheckConnectionLimitAsync(alice);

            // A second daemon on alice's data directory names the running one by its pid, read from the socket.
            var second = Start(aliceData, AlicePassphrase);
            Assert.Equal(DaemonProgram.ExitInUse, await second.WaitForExitAsync(TestTimeouts.Host));
            Assert.Contains($"another hpc-client daemon is running on {aliceData} (pid {alice.Id})", second.Errors, StringComparison.Ordinal);

            var aliceId = (await aliceApi.Api.StatusAsync()).HiddenId;
            var bobId = (await bobApi.Api.StatusAsync()).HiddenId;
            await WaitPublishedAsync(aliceApi);
            await WaitPublishedAsync(bobApi);

            // alice adds bob and writes; bob hears a contact request carrying the message.
            Assert.Equal(ApiContactResult.Added, await aliceApi.Api.AddContactAsync(bobId, "bob"));
            await aliceApi.Api.SubscribeAsync();
            await bobApi.Api.SubscribeAsync();
            using var bobRaw = await RawSubscriber.StartAsync(bob.SocketPath);
            var hello = await aliceApi.Api.SendAsync(bobId, "hello bob");
            Assert.Equal(ApiDeliveryState.Queued, hello.State);
            Assert.Equal(32, hello.Id.Length);

            var request = await NextAsync(bobApi, e => e.Type == ApiEventType.ContactRequestReceived);
            Assert.Equal(aliceId, request.Contact);
            var first = await NextAsync(bobApi, e => e.Type == ApiEventType.MessageReceived);
            Assert.Equal(("hello bob", true, hello.Id), (first.Text, first.FromContactRequest, first.Id));
            var rawFirst = (await bobRaw.WaitForLineAsync("\"type\":\"message-received\""))[4..];
            Assert.StartsWith("{\"jsonrpc\":\"2.0\",\"method\":\"event\",\"params\":[{\"type\":\"message-received\",\"contact\":\"", rawFirst, StringComparison.Ordinal);
            Assert.Contains("\"text\":\"hello bob\"", rawFirst, StringComparison.Ordinal);
            Assert.Contains("\"fromContactRequest\":true", rawFirst, StringComparison.Ordinal);
            var requests = await bobApi.Api.RequestsAsync();
            Assert.Equal(aliceId, Assert.Single(requests).HiddenId);

            // bob accepts and replies (on the raw wire, as a front end in another language would); alice sees her message
            // delivered and the reply.
            var accepted = await bobRaw.RequestAsync(2, $$$"""{"jsonrpc":"2.0","id":2,"method":"requests.accept","params":{"contact":"{{{aliceId}}}","name":"alice"}}""");
            Assert.Equal("""{"jsonrpc":"2.0","id":2,"result":"updated"}""", accepted);
            Assert.Empty(await bobApi.Api.RequestsAsync());
            Assert.Equal(("alice", ApiContactState.Accepted), (Assert.Single(await bobApi.Api.ContactsAsync()).Name, ApiContactState.Accepted));
            var sent = await bobRaw.RequestAsync(3, $$$"""{"jsonrpc":"2.0","id":3,"method":"send","params":{"contact":"{{{aliceId}}}","text":"hi alice"}}""");
            var reply = JsonSerializer.Deserialize<ApiSentMessage>(JsonDocument.Parse(sent).RootElement.GetProperty("result"), ApiWire.SerializerOptions(new JsonSerializerOptions()))!;
            Assert.Equal((aliceId, ApiDeliveryState.Queued, 1UL), (reply.Contact, reply.State, reply.Sequence));
            await NextAsync(aliceApi, e => e.Type == ApiEventType.DeliveryStateChanged && e.Id == hello.Id && e.State == ApiDeliveryState.Delivered);
            var answer = await NextAsync(aliceApi, e => e.Type == ApiEventType.MessageReceived);
            Assert.Equal(("hi alice", false, reply.Id), (answer.Text, answer.FromContactRequest, answer.Id));
            await NextAsync(bobApi, e => e.Type == ApiEventType.DeliveryStateChanged && e.Id == reply.Id && e.State == ApiDeliveryState.Delivered);
            Assert.Contains("\"state\":\"delivered\"", await bobRaw.WaitForLineAsync("\"state\":\"delivered\""), StringComparison.Ordinal);
            foreach (var line in bobRaw.Lines)
            {
                output.WriteLine(line);
            }

            // bob stops cleanly (exit 0, socket removed); alice queues five messages, then is killed with kill -9.
            await bobApi.DisposeAsync();
            bob.Terminate();
            Assert.Equal(DaemonProgram.ExitOk, await bob.WaitForExitAsync(TestTimeouts.Host));
            Assert.False(File.Exists(bob.SocketPath));
            var queued = new List<ApiSentMessage>();
            for (var i = 1; i <= 5; i++)
            {
                queued.Add(await aliceApi.Api.SendAsync(bobId, "queued " + i));
            }

            var pending = await aliceApi.Api.StatusAsync();
            Assert.Equal(5, pending.Counts.Queued + pending.Counts.Sent);
            alice.KillHard();
            await alice.WaitForExitAsync(TestTimeouts.Host);
            Assert.True(File.Exists(alice.SocketPath), "kill -9 leaves the socket file behind");
            await Assert.ThrowsAsync<DaemonNotRunningException>(() => ClientApiConnection.ConnectAsync(aliceData, CancellationToken.None));

            // Both come back; the stale socket is replaced and the outbox goes out, once and in order.
            alice = Start(aliceData, AlicePassphrase);
            bob = Start(bobData, BobPassphrase);
            aliceApi = await ConnectAsync(alice);
            bobApi = await ConnectAsync(bob);
            Assert.Contains("Replaced the socket file", alice.Errors, StringComparison.Ordinal);
            await WaitUntilAsync(
                async () => (await aliceApi.Api.HistoryAsync(bobId, 100, null)).Entries.Count(e => e.Direction == ApiDirection.Outgoing && e.State == ApiDeliveryState.Delivered) == 6,
                "alice's outbox delivered");
            var atBob = (await bobApi.Api.HistoryAsync(aliceId, 100, null)).Entries.Where(e => e.Direction == ApiDirection.Incoming).ToList();
            Assert.Equal(["hello bob", .. queued.Select((_, i) => "queued " + (i + 1))], atBob.Select(e => e.Text));
            Assert.Equal(queued.Select(m => m.Id), atBob.Skip(1).Select(e => e.Id));
            Assert.Equal([1UL, 2, 3, 4, 5, 6], atBob.Select(e => e.Sequence));
        }
        catch (Exception)
        {
            foreach (var daemon in _daemons)
            {
                output.WriteLine($"--- daemon {daemon.DataDirectory} (pid {daemon.Id}) ---");
                output.WriteLine(daemon.Errors);
            }

            throw;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit v2 calls only the former on a test class, and the daemons must be
    // killed whatever happened.
    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        foreach (var daemon in _daemons)
        {
            daemon.Dispose();
        }

        if (_network is not null)
        {
            await _network.DisposeAsync();
        }

        _root.Dispose();
    }

    private static async Task<ApiEvent> NextAsync(ClientApiConnection connection, Func<ApiEvent, bool> wanted)
    {
        using var deadline = new CancellationTokenSource(InProcessNetwork.Ready);
        while (true)
        {
            var next = await connection.Events.ReadAsync(deadline.Token);
            if (wanted(next))
            {
                return next;
            }
        }
    }

    private static Task WaitPublishedAsync(ClientApiConnection connection) =>
        WaitUntilAsync(async () => (await connection.Api.StatusAsync()).Published, "the hidden point published");

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var deadline = new CancellationTokenSource(InProcessNetwork.Ready);
        while (!await condition())
        {
            try
            {
                await Task.Delay(250, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }
        }
    }

    // The wire as docs/client-api.md shows it: one JSON object per line, parameters by name or by position, errors with
    // their codes; a line that is not JSON, or one over the size limit, drops its connection while the others are
    // served.
    private async Task CheckRawExchangeAsync(DaemonProcess daemon, ClientApiConnection other)
    {
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(daemon.SocketPath)).WaitAsync(TestTimeouts.Step);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            async Task<string> ExchangeAsync(string request)
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(request + "\n")).AsTask().WaitAsync(TestTimeouts.Step);
                var answer = await reader.ReadLineAsync().WaitAsync(TestTimeouts.Step);
                output.WriteLine("--> " + request);
                output.WriteLine("<-- " + answer);
                return answer ?? string.Empty;
            }

            var status = await ExchangeAsync("""{"jsonrpc":"2.0","id":1,"method":"status"}""");
            Assert.StartsWith("""{"jsonrpc":"2.0","id":1,"result":{"hiddenId":""", status, StringComparison.Ordinal);
            var result = JsonDocument.Parse(status).RootElement.GetProperty("result");
            var own = result.GetProperty("hiddenId").GetString();
            if (result.GetProperty("consensusValidAfter").ValueKind != JsonValueKind.Null)
            {
                // Every authority of the network is up: all of them signed, none is reported missing.
                Assert.Equal(result.GetProperty("authoritiesPinned").GetInt32(), result.GetProperty("consensusSigners").GetInt32());
                Assert.Equal(0, result.GetProperty("authoritiesNotSigning").GetArrayLength());
            }

            var page = await ExchangeAsync($$$"""{"jsonrpc":"2.0","id":2,"method":"history","params":{"contact":"{{{own}}}","count":20}}""");
            Assert.Equal("""{"jsonrpc":"2.0","id":2,"result":{"entries":[]}}""", page);
            var positional = await ExchangeAsync($$"""{"jsonrpc":"2.0","id":3,"method":"history","params":["{{own}}",20,null]}""");
            Assert.Equal("""{"jsonrpc":"2.0","id":3,"result":{"entries":[]}}""", positional);
            var invalid = await ExchangeAsync("""{"jsonrpc":"2.0","id":4,"method":"contacts.add","params":{"contact":"nobody.hpc","name":"Nobody"}}""");
            Assert.Contains("\"code\":1001", invalid, StringComparison.Ordinal);
            var unknown = await ExchangeAsync("""{"jsonrpc":"2.0","id":5,"method":"contacts.frobnicate"}""");
            Assert.Contains("\"code\":-32601", unknown, StringComparison.Ordinal);
            var subscribed = await ExchangeAsync("""{"jsonrpc":"2.0","id":6,"method":"events.subscribe"}""");
            Assert.StartsWith("""{"jsonrpc":"2.0","id":6,"result":""", subscribed, StringComparison.Ordinal);
        }

        using (var flooder = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await flooder.ConnectAsync(new UnixDomainSocketEndPoint(daemon.SocketPath)).WaitAsync(TestTimeouts.Step);
            var endless = Encoding.ASCII.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"send\",\"params\":{\"text\":\"" + new string('x', 300_000));
            try
            {
                await flooder.SendAsync(endless).WaitAsync(TestTimeouts.Step);
                Assert.Equal(0, await flooder.ReceiveAsync(new byte[16]).WaitAsync(TestTimeouts.Step));
            }
            catch (SocketException)
            {
                // Reset by the daemon while still writing: dropped all the same.
            }
        }

        using (var garbled = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await garbled.ConnectAsync(new UnixDomainSocketEndPoint(daemon.SocketPath)).WaitAsync(TestTimeouts.Step);
            await garbled.SendAsync(Encoding.UTF8.GetBytes("this is not JSON\n")).WaitAsync(TestTimeouts.Step);
            var answer = new byte[4096];
            var read = await garbled.ReceiveAsync(answer).WaitAsync(TestTimeouts.Step);
            Assert.True(read == 0, "a line that is not JSON closes the connection without an answer; got " + Encoding.UTF8.GetString(answer, 0, read));
        }

        await daemon.WaitForErrorOutputAsync("a request was longer than", TestTimeouts.Step);
        Assert.NotEmpty((await other.Api.StatusAsync().WaitAsync(TestTimeouts.Step)).HiddenId);
    }

    // Api:MaxConnections at once (the test's own connection is one): one more is closed at once; when one closes, a
    // new one is served again.
    private static async Task CheckConnectionLimitAsync(DaemonProcess daemon)
    {
        var held = new List<ClientApiConnection>();
        try
        {
            for (var i = 1; i < DaemonProcess.MaxConnections; i++)
            {
                var connection = await ClientApiConnection.ConnectAsync(daemon.DataDirectory, CancellationToken.None).WaitAsync(TestTimeouts.Step);
                held.Add(connection);
                await connection.Api.StatusAsync().WaitAsync(TestTimeouts.Step);
            }

            await using (var extra = await ClientApiConnection.ConnectAsync(daemon.DataDirectory, CancellationToken.None).WaitAsync(TestTimeouts.Step))
            {
                await Assert.ThrowsAsync<StreamJsonRpc.ConnectionLostException>(() => extra.Api.StatusAsync().WaitAsync(TestTimeouts.Step));
            }

            await daemon.WaitForErrorOutputAsync($"{DaemonProcess.MaxConnections} connections are served already", TestTimeouts.Step);
            await held[0].DisposeAsync();
            held.RemoveAt(0);
            await WaitUntilAsync(() => TryStatusAsync(daemon), "a connection served again after one closed");
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task<bool> TryStatusAsync(DaemonProcess daemon)
    {
        await using var connection = await ClientApiConnection.ConnectAsync(daemon.DataDirectory, CancellationToken.None).WaitAsync(TestTimeouts.Step);
        try
        {
            return (await connection.Api.StatusAsync().WaitAsync(TestTimeouts.Step)).ProcessId == daemon.Id;
        }
        catch (StreamJsonRpc.ConnectionLostException)
        {
            return false;
        }
    }

    /// <summary>A client of the raw wire: subscribes to the events and keeps every line, written (-->) and read (&lt;--).</summary>
    private sealed class RawSubscriber : IDisposable
    {
        private readonly Socket _socket;
        private readonly List<string> _lines = [];
        private readonly Lock _gate = new();
        private readonly Task _reading;

        private RawSubscriber(Socket socket)
        {
            _socket = socket;
            _reading = Task.Run(ReadAsync);
        }

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_gate)
                {
                    return [.. _lines];
                }
            }
        }

        public static async Task<RawSubscriber> StartAsync(string socketPath)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).WaitAsync(TestTimeouts.Step);
            var subscriber = new RawSubscriber(socket);
            await subscriber.RequestAsync(1, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"events.subscribe\"}");
            return subscriber;
        }

        /// <summary>Writes one request line and returns the daemon's answer to it.</summary>
        public async Task<string> RequestAsync(int id, string request)
        {
            lock (_gate)
            {
                _lines.Add("--> " + request);
            }

            await _socket.SendAsync(Encoding.UTF8.GetBytes(request + "\n")).WaitAsync(TestTimeouts.Step);
            return (await WaitForLineAsync($"<-- {{\"jsonrpc\":\"2.0\",\"id\":{id},"))[4..];
        }

        public async Task<string> WaitForLineAsync(string part)
        {
            using var deadline = new CancellationTokenSource(InProcessNetwork.Ready);
            while (true)
            {
                if (Lines.FirstOrDefault(l => l.Contains(part, StringComparison.Ordinal)) is { } line)
                {
                    return line;
                }

                if (_reading.IsCompleted)
                {
                    throw new InvalidOperationException($"The connection ended before a line with {part}.");
                }

                await Task.Delay(50, deadline.Token);
            }
        }

        public void Dispose()
        {
            _socket.Dispose();
            _reading.Wait(TestTimeouts.Step);
        }

        private async Task ReadAsync()
        {
            try
            {
                await using var stream = new NetworkStream(_socket, ownsSocket: false);
                using var reader = new StreamReader(stream, new UTF8Encoding(false));
                while (await reader.ReadLineAsync() is { } line)
                {
                    lock (_gate)
                    {
                        _lines.Add("<-- " + line);
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                // Closed by the test or the daemon.
            }
        }
    }

    // As uid 65534: the socket file (0600, in a 0700 folder) is closed to it by the system; opened up on purpose, the
    // daemon itself refuses the connection (SO_PEERCRED) without an answer.
    private static async Task CheckAnotherUserIsRefusedAsync(DaemonProcess daemon)
    {
        Assert.StartsWith("connect-failed", await ProbeAsOtherUserAsync(daemon.SocketPath), StringComparison.Ordinal);
        string[] folders = [Path.GetDirectoryName(daemon.DataDirectory)!, daemon.DataDirectory];
        var folderModes = folders.Select(File.GetUnixFileMode).ToArray();
        var socketMode = File.GetUnixFileMode(daemon.SocketPath);
        try
        {
            foreach (var (folder, mode) in folders.Zip(folderModes))
            {
                File.SetUnixFileMode(folder, mode | UnixFileMode.OtherExecute);
            }

            File.SetUnixFileMode(daemon.SocketPath, socketMode | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            Assert.Equal("closed", await ProbeAsOtherUserAsync(daemon.SocketPath));
        }
        finally
        {
            File.SetUnixFileMode(daemon.SocketPath, socketMode);
            foreach (var (folder, mode) in folders.Zip(folderModes))
            {
                File.SetUnixFileMode(folder, mode);
            }
        }

        await daemon.WaitForErrorOutputAsync("Refused a local API connection from user 65534", TestTimeouts.Step);
    }

    // The probe runs from a copy in a folder anyone may read: the build's output may sit below a folder closed to
    // other users (a home directory).
    private static async Task<string> ProbeAsOtherUserAsync(string socketPath)
    {
        var folder = Path.Combine(Path.GetTempPath(), "hpc-api-probe-" + Guid.NewGuid().ToString("N"));
        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        Directory.CreateDirectory(folder, Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        try
        {
            foreach (var file in new[] { "hpc-api-probe.dll", "hpc-api-probe.runtimeconfig.json", "hpc-api-probe.deps.json" })
            {
                File.Copy(Path.Combine(AppContext.BaseDirectory, file), Path.Combine(folder, file));
                File.SetUnixFileMode(Path.Combine(folder, file), Readable);
            }

            return await RunProbeAsync(Path.Combine(folder, "hpc-api-probe.dll"), socketPath);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string> RunProbeAsync(string probe, string socketPath)
    {
        var start = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(probe)!,
        };
        foreach (var argument in new[] { "--reuid", "65534", "--regid", "65534", "--clear-groups", "dotnet", probe, socketPath })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HOME"] = "/tmp";
        start.Environment["DOTNET_CLI_HOME"] = "/tmp";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var result = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TestTimeouts.Host);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var text = (await result).Trim();
        Assert.True(process.ExitCode == 0 && text.Length > 0, $"the probe failed ({process.ExitCode}): {await errors}");
        return text;
    }

    private DaemonProcess Start(string data, string passphrase)
    {
        var daemon = DaemonProcess.Start(data, passphrase);
        _daemons.Add(daemon);
        return daemon;
    }

    private async Task<ClientApiConnection> ConnectAsync(DaemonProcess daemon)
    {
        var connection = await daemon.ConnectAsync(InProcessNetwork.Ready);
        _connections.Add(connection);
        return connection;
    }
}
