using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Authorities;
using HiddenPoint.Relay.Hosting;
using Xunit.Abstractions;

namespace HiddenPoint.Relay.Tests.Hosting;

/// <summary>The relay's authority client keeps only what it uses: no answer is buffered whole to be thrown away.</summary>
public sealed class AuthorityClientTests(ITestOutputHelper output) : IDisposable
{
    private const int MiB = 1024 * 1024;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task An_upload_refused_with_an_endless_error_body_gets_its_reason_from_the_first_bytes()
    {
        // The authority declares a 16 MiB error body, sends its reason and a few KiB, then sends nothing more. A client
        // that buffers the whole answer waits for its request timeout (5 min here); one that reads the reason and
        // stops answers at once and closes the connection.
        using var server = new HangingAuthority("400 Bad Request", 16 * MiB, "PublishedInFuture: published 2 h ahead\n" + new string('x', 8 * 1024));
        using var client = Client();

        var result = await client.PostDescriptorAsync(server.Authority, Encoding.ASCII.GetBytes("descriptor"), CancellationToken.None).WaitAsync(TestTimeouts.Host);

        Assert.Equal(UploadOutcome.Refused, result.Outcome);
        Assert.Equal("PublishedInFuture", AuthorityClient.ReasonCode(result.Reason));
        Assert.True(result.Reason.Length <= 200);
        await server.ClientClosed.WaitAsync(TestTimeouts.Host);
    }

    [Fact]
    public async Task A_consensus_of_declared_length_is_read_into_one_buffer_of_that_length()
    {
        var document = RandomNumberGenerator.GetBytes(NetworkStatus.MaxSize);
        using var stream = new MemoryStream(document);

        // A memory stream completes every read at once, so the whole read runs on this thread and its allocations
        // are this thread's: the body itself and a few small objects. A doubling buffer costs three times the body.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var read = AuthorityConsensusDownloader.ReadBodyAsync(stream, document.Length, NetworkStatus.MaxSize, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        output.WriteLine($"reading a {document.Length}-byte consensus allocated {allocated} bytes");
        Assert.True(read.IsCompletedSuccessfully);
        Assert.Equal(document, await read);
        Assert.InRange(allocated, NetworkStatus.MaxSize, NetworkStatus.MaxSize + (64 * 1024));
    }

    [Fact]
    public async Task A_consensus_declared_larger_than_the_limit_is_refused_before_any_of_it_is_read()
    {
        using var stream = new MemoryStream(new byte[1000]);
        Assert.Null(await AuthorityConsensusDownloader.ReadBodyAsync(stream, NetworkStatus.MaxSize + 1L, NetworkStatus.MaxSize, CancellationToken.None));
        Assert.Equal(0, stream.Position);
    }

    [Fact]
    public async Task A_body_without_a_declared_length_is_read_whole_up_to_the_limit_and_refused_beyond()
    {
        var document = RandomNumberGenerator.GetBytes((3 * 64 * 1024) + 17);
        using (var stream = new MemoryStream(document))
        {
            Assert.Equal(document, await AuthorityConsensusDownloader.ReadBodyAsync(stream, null, document.Length, CancellationToken.None));
        }

        using (var stream = new MemoryStream(document))
        {
            Assert.Null(await AuthorityConsensusDownloader.ReadBodyAsync(stream, null, document.Length - 1, CancellationToken.None));
        }

        using (var empty = new MemoryStream())
        {
            Assert.Empty((await AuthorityConsensusDownloader.ReadBodyAsync(empty, null, 10, CancellationToken.None))!);
        }
    }

    [Fact]
    public async Task A_body_that_ends_before_its_declared_length_is_an_error()
    {
        using var stream = new MemoryStream(new byte[100]);
        var error = await Assert.ThrowsAsync<IOException>(() => AuthorityConsensusDownloader.ReadBodyAsync(stream, 101, 1000, CancellationToken.None));
        Assert.Contains("100 of its 101", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_first_bytes_of_an_answer_are_read()
    {
        using var stream = new MemoryStream(RandomNumberGenerator.GetBytes(10_000));
        Assert.Equal(AuthorityConsensusDownloader.MaxAnswerLength, (await AuthorityConsensusDownloader.ReadPrefixAsync(stream, AuthorityConsensusDownloader.MaxAnswerLength, CancellationToken.None)).Length);
        Assert.Equal(AuthorityConsensusDownloader.MaxAnswerLength, stream.Position);
        using var short_ = new MemoryStream([1, 2, 3]);
        Assert.Equal([1, 2, 3], await AuthorityConsensusDownloader.ReadPrefixAsync(short_, AuthorityConsensusDownloader.MaxAnswerLength, CancellationToken.None));
    }

    private AuthorityClient Client()
    {
        var options = HostingFixtures.Options(_folder.Path);
        options.AuthorityRequestTimeout = TimeSpan.FromMinutes(5);
        return new AuthorityClient(Microsoft.Extensions.Options.Options.Create(options));
    }

    /// <summary>
    /// An HTTP server on loopback that answers one request with <paramref name="status"/>, a Content-Length of
    /// <paramref name="declared"/> bytes and only <paramref name="sent"/> of them, then holds the connection open.
    /// </summary>
    private sealed class HangingAuthority : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _stop = new();

        public HangingAuthority(string status, int declared, string sent)
        {
            _listener.Start();
            _ = ServeAsync(status, declared, Encoding.ASCII.GetBytes(sent));
        }

        public RelayAuthorityOptions Authority => new()
        {
            Nickname = "hanging",
            Address = "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port,
            Identity = "",
        };

        /// <summary>Completes once the client has closed the connection.</summary>
        public Task ClientClosed => _closed.Task;

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task ServeAsync(string status, int declared, byte[] sent)
        {
            try
            {
                using var socket = await _listener.AcceptSocketAsync(_stop.Token);
                await ReadRequestAsync(socket);
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {declared}\r\n\r\n");
                await socket.SendAsync(head, _stop.Token);
                await socket.SendAsync(sent, _stop.Token);

                // Nothing more is sent; the client's close (or reset) ends the wait.
                var buffer = new byte[1024];
                try
                {
                    while (await socket.ReceiveAsync(buffer, _stop.Token) > 0)
                    {
                    }
                }
                catch (SocketException)
                {
                }

                _closed.TrySetResult();
            }
            catch (OperationCanceledException)
            {
            }
        }

        // The request line and headers, then Content-Length bytes of body.
        private async Task ReadRequestAsync(Socket socket)
        {
            var received = new List<byte>();
            var buffer = new byte[4096];
            int headerEnd;
            while ((headerEnd = IndexOfHeaderEnd(received)) < 0)
            {
                var read = await socket.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                received.AddRange(buffer.AsSpan(0, read));
            }

            var headers = Encoding.ASCII.GetString([.. received.Take(headerEnd)]);
            var lengthLine = headers.Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            var length = int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            var body = received.Count - (headerEnd + 4);
            while (body < length)
            {
                body += await socket.ReceiveAsync(buffer, _stop.Token);
            }
        }

        private static int IndexOfHeaderEnd(List<byte> received)
        {
            for (var i = 0; i + 3 < received.Count; i++)
            {
                if (received[i] == '\r' && received[i + 1] == '\n' && received[i + 2] == '\r' && received[i + 3] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
