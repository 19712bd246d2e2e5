using System.Security.Cryptography;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.HiddenPoints;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Relay.Tests.HiddenPoints;

public sealed class DirectoryStreamRoleTests
{
    [Fact]
    public async Task TheConsensusComesBackByteForByteInManyDataCells()
    {
        // Larger than one circuit window of DATA (1,000 cells), so the relay has to wait for the client's SENDMEs.
        await using var relay = new RoleHarness();
        var document = RandomNumberGenerator.GetBytes(600_000);
        relay.Consensus.LatestDocument = document;
        var client = await relay.OpenClientAsync();

        await client.SendAsync(new DirectoryRequestMessage(DirectoryResource.Consensus, []), stream: 5);

        var answer = await ReadAnswerAsync(client, 5);
        Assert.Equal(DirectoryStatus.Ok, answer.Status);
        Assert.Equal(document.Length, answer.DeclaredLength);
        Assert.Equal((document.Length + RelayCell.MaxDataWithStream - 1) / RelayCell.MaxDataWithStream, answer.DataCells);
        Assert.Equal(document, answer.Body);
        Assert.Equal(EndReason.Done, answer.End);
    }

    [Fact]
    public async Task TheDigestOfTheHeldConsensusIsAnsweredNotModified()
    {
        await using var relay = new RoleHarness();
        var document = RandomNumberGenerator.GetBytes(3_000);
        relay.Consensus.LatestDocument = document;
        var client = await relay.OpenClientAsync();

        await client.SendAsync(new DirectoryRequestMessage(DirectoryResource.Consensus, SHA3_256.HashData(document)), stream: 1);
        var same = await ReadAnswerAsync(client, 1);
        Assert.Equal(DirectoryStatus.NotModified, same.Status);
        Assert.Equal(0, same.DataCells);

        var older = SHA3_256.HashData(document);
        older[0] ^= 1;
        await client.SendAsync(new DirectoryRequestMessage(DirectoryResource.Consensus, older), stream: 2);
        var newer = await ReadAnswerAsync(client, 2);
        Assert.Equal(DirectoryStatus.Ok, newer.Status);
        Assert.Equal(document, newer.Body);
    }

    [Fact]
    public async Task NoConsensusIsAnsweredUnavailableAndRelayDescriptorsNotFound()
    {
        await using var relay = new RoleHarness();
        var client = await relay.OpenClientAsync();

        await client.SendAsync(new DirectoryRequestMessage(DirectoryResource.Consensus, []), stream: 1);
        Assert.Equal(DirectoryStatus.Unavailable, (await ReadAnswerAsync(client, 1)).Status);

        await client.SendAsync(new DirectoryRequestMessage(DirectoryResource.RelayDescriptor, new byte[32]), stream: 2);
        Assert.Equal(DirectoryStatus.NotFound, (await ReadAnswerAsync(client, 2)).Status);

        await client.SendAsync(new DirectoryRequestMessage(DirectoryResource.Consensus, new byte[5]), stream: 3);
        Assert.Equal(DirectoryStatus.BadRequest, (await ReadAnswerAsync(client, 3)).Status);
    }

    [Fact]
    public async Task ADescriptorIsStoredAndFetchedBack()
    {
        await using var relay = new RoleHarness();
        var store = (MemoryDescriptorStore)relay.Descriptors;
        var blindedKey = RandomNumberGenerator.GetBytes(32);
        var descriptor = RandomNumberGenerator.GetBytes(12_345);
        var client = await relay.OpenClientAsync();

        await client.SendAsync(new DescriptorStoreMessage(blindedKey, descriptor.Length), stream: 9);
        for (var offset = 0; offset < descriptor.Length; offset += RelayCell.MaxDataWithStream)
        {
            await client.SendAsync(new DataMessage(descriptor.AsSpan(offset, Math.Min(RelayCell.MaxDataWithStream, descriptor.Length - offset))), stream: 9);
        }

        var stored = await ReadAnswerAsync(client, 9);
        Assert.Equal(DirectoryStatus.Ok, stored.Status);
        Assert.Equal(0, stored.DeclaredLength);
        Assert.Equal(EndReason.Done, stored.End);
        Assert.True(store.TryFetch(blindedKey, out var held));
        Assert.Equal(descriptor, held.ToArray());

        var fetcher = await relay.OpenClientAsync();
        await fetcher.SendAsync(new DescriptorFetchMessage(blindedKey), stream: 3);
        var fetched = await ReadAnswerAsync(fetcher, 3);
        Assert.Equal(DirectoryStatus.Ok, fetched.Status);
        Assert.Equal(descriptor, fetched.Body);

        await fetcher.SendAsync(new DescriptorFetchMessage(RandomNumberGenerator.GetBytes(32)), stream: 4);
        Assert.Equal(DirectoryStatus.NotFound, (await ReadAnswerAsync(fetcher, 4)).Status);
    }

    [Fact]
    public async Task TheStoresVerdictBecomesTheStatus()
    {
        await using var relay = new RoleHarness();
        ((MemoryDescriptorStore)relay.Descriptors).Answer = HsDirStoreResult.BadSignature;
        var client = await relay.OpenClientAsync();

        await client.SendAsync(new DescriptorStoreMessage(new byte[32], 10), stream: 1);
        await client.SendAsync(new DataMessage(new byte[10]), stream: 1);

        Assert.Equal(DirectoryStatus.Rejected, (await ReadAnswerAsync(client, 1)).Status);
    }

    [Fact]
    public async Task AnOversizedDeclaredLengthIsRefusedBeforeAnythingIsBuffered()
    {
        await using var relay = new RoleHarness();
        var store = (MemoryDescriptorStore)relay.Descriptors;
        var client = await relay.OpenClientAsync();
        var data = new byte[36];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(32), DirectoryLimits.MaxDescriptorLength + 1);

        await client.SendRawAsync(RelayCommand.DescriptorStore, data, stream: 1);
        var answer = await ReadAnswerAsync(client, 1);
        Assert.Equal(DirectoryStatus.TooLarge, answer.Status);

        // DATA that follows has no upload to go to: it is dropped, never stored.
        await client.SendAsync(new DataMessage(new byte[400]), stream: 1);
        await client.SendAsync(new DescriptorFetchMessage(new byte[32]), stream: 2);
        Assert.Equal(DirectoryStatus.NotFound, (await ReadAnswerAsync(client, 2)).Status);
        Assert.Equal(0, store.StoreCalls);
    }

    [Fact]
    public async Task DataBeyondTheDeclaredLengthIsRefused()
    {
        await using var relay = new RoleHarness();
        var store = (MemoryDescriptorStore)relay.Descriptors;
        var client = await relay.OpenClientAsync();

        await client.SendAsync(new DescriptorStoreMessage(new byte[32], 100), stream: 1);
        await client.SendAsync(new DataMessage(new byte[60]), stream: 1);
        await client.SendAsync(new DataMessage(new byte[60]), stream: 1);

        Assert.Equal(DirectoryStatus.BadRequest, (await ReadAnswerAsync(client, 1)).Status);
        Assert.Equal(0, store.StoreCalls);
    }

    [Fact]
    public async Task AnUploadThatNeverCompletesIsEndedAfterTheTimeout()
    {
        await using var relay = new RoleHarness(o => o.DescriptorUploadTimeout = TimeSpan.FromSeconds(1));
        var client = await relay.OpenClientAsync();

        await client.SendAsync(new DescriptorStoreMessage(new byte[32], 1_000), stream: 1);
        await client.SendAsync(new DataMessage(new byte[100]), stream: 1);

        var end = await client.ReceiveAsync();
        Assert.Equal(RelayCommand.End, end.Command);
        Assert.Equal(EndReason.Timeout, end.Decode<EndMessage>().Reason);
        Assert.Equal(0, ((MemoryDescriptorStore)relay.Descriptors).StoreCalls);
    }

    [Fact]
    public async Task StreamsPerCircuitAreBounded()
    {
        await using var relay = new RoleHarness(o => o.MaxDirectoryStreamsPerCircuit = 2);
        var client = await relay.OpenClientAsync();

        // Two uploads left open hold both slots; a third stream is ended with ResourceLimit.
        await client.SendAsync(new DescriptorStoreMessage(new byte[32], 100), stream: 1);
        await client.SendAsync(new DescriptorStoreMessage(new byte[32], 100), stream: 2);
        await client.SendAsync(new DescriptorFetchMessage(new byte[32]), stream: 3);

        var end = await client.ReceiveAsync();
        Assert.Equal(RelayCommand.End, end.Command);
        Assert.Equal(3, end.Stream);
        Assert.Equal(EndReason.ResourceLimit, end.Decode<EndMessage>().Reason);

        // Ending one frees its slot.
        await client.SendAsync(new EndMessage(EndReason.Done), stream: 1);
        await client.SendAsync(new DescriptorFetchMessage(new byte[32]), stream: 4);
        Assert.Equal(DirectoryStatus.NotFound, (await ReadAnswerAsync(client, 4)).Status);
    }

    [Fact]
    public async Task FL05_StreamOpensBeyondOneHundredPerSecondOnOneCircuitAreEndedAndOtherCircuitsAreServed()
    {
        // The default rate and burst (100); the concurrent cap raised so that it is not what refuses.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var relay = new RoleHarness(o => o.MaxDirectoryStreamsPerCircuit = 256, time);
        var client = await relay.OpenClientAsync();

        // 1,000 opens at one instant (the row's figure for one second): the burst is answered, the rest ended at once.
        for (var i = 1; i <= 1_000; i++)
        {
            await client.SendAsync(new DirectoryRequestMessage(DirectoryResource.RelayDescriptor, new byte[32]), stream: (ushort)i);
        }

        // Each answered stream brings a DIRECTORY_RESPONSE and an END(Done), each refused one an END(ResourceLimit);
        // answers come from tasks of their own, so the three kinds interleave.
        var answered = 0;
        var refused = 0;
        var done = 0;
        while (answered + refused + done < 1_100)
        {
            var message = await client.ReceiveAsync();
            if (message.Command == RelayCommand.DirectoryResponse)
            {
                answered++;
                continue;
            }

            Assert.Equal(RelayCommand.End, message.Command);
            var reason = message.Decode<EndMessage>().Reason;
            Assert.True(reason is EndReason.ResourceLimit or EndReason.Done, reason.ToString());
            refused += reason == EndReason.ResourceLimit ? 1 : 0;
            done += reason == EndReason.Done ? 1 : 0;
        }

        Assert.Equal(100, answered);
        Assert.Equal(100, done);
        Assert.Equal(900, refused);
        Assert.False(client.RelaySide.Closed.Task.IsCompleted);

        // Another circuit is served at once; this one again after a second (100 more).
        var other = await relay.OpenClientAsync();
        await other.SendAsync(new DirectoryRequestMessage(DirectoryResource.RelayDescriptor, new byte[32]), stream: 1);
        Assert.Equal(DirectoryStatus.NotFound, (await ReadAnswerAsync(other, 1)).Status);
        time.Advance(TimeSpan.FromSeconds(1));
        await client.SendAsync(new DirectoryRequestMessage(DirectoryResource.RelayDescriptor, new byte[32]), stream: 2_001);
        Assert.Equal(DirectoryStatus.NotFound, (await ReadAnswerAsync(client, 2_001)).Status);
    }

    [Fact]
    public async Task ADirectoryRequestOnAnIntroductionCircuitIsEndedNotADirectory()
    {
        await using var relay = new RoleHarness();
        using var authKey = IntroductionPointRoleTests.NewAuthKey();
        var host = await IntroductionPointRoleTests.Established(relay, authKey);
        relay.Consensus.LatestDocument = new byte[100];

        await host.SendAsync(new DirectoryRequestMessage(DirectoryResource.Consensus, []), stream: 1);

        var end = await host.ReceiveAsync();
        Assert.Equal(RelayCommand.End, end.Command);
        Assert.Equal(EndReason.NotDirectory, end.Decode<EndMessage>().Reason);
    }

    [Fact]
    public async Task DataForThisRelayOnAFreshCircuitClosesIt()
    {
        await using var relay = new RoleHarness();
        var client = await relay.OpenClientAsync();

        await client.SendAsync(new DataMessage(new byte[10]), stream: 1);

        Assert.Equal(Network.Circuits.CircuitCloseReason.ProtocolViolation, await client.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
    }

    [Theory]
    [InlineData(HsDirStoreResult.NotResponsible, DirectoryStatus.NotResponsible)]
    [InlineData(HsDirStoreResult.NoConsensus, DirectoryStatus.Unavailable)]
    [InlineData(HsDirStoreResult.Full, DirectoryStatus.Unavailable)]
    [InlineData(HsDirStoreResult.CertificateExpired, DirectoryStatus.Rejected)]
    [InlineData(HsDirStoreResult.OldRevision, DirectoryStatus.Rejected)]
    public async Task AMisplacedUploadHasItsOwnStatus(HsDirStoreResult verdict, DirectoryStatus status)
    {
        await using var relay = new RoleHarness();
        ((MemoryDescriptorStore)relay.Descriptors).Answer = verdict;
        var client = await relay.OpenClientAsync();

        Assert.Equal(status, await UploadAsync(client, 1, new byte[10]));
    }

    [Fact]
    public async Task UploadsAreRateLimitedPerCircuitAndForTheRelay()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var relay = new RoleHarness(
            o =>
            {
                o.DescriptorUploadRatePerCircuit = 1;
                o.DescriptorUploadBurstPerCircuit = 2;
                o.DescriptorUploadRate = 1;
                o.DescriptorUploadBurst = 3;
            },
            time);
        var store = (MemoryDescriptorStore)relay.Descriptors;
        var client = await relay.OpenClientAsync();

        // The circuit's burst, then a refusal before any byte is set aside: the DATA that follows is dropped.
        Assert.Equal(DirectoryStatus.Ok, await UploadAsync(client, 1, new byte[10]));
        Assert.Equal(DirectoryStatus.Ok, await UploadAsync(client, 2, new byte[10]));
        Assert.Equal(DirectoryStatus.Unavailable, await UploadAsync(client, 3, new byte[10]));
        Assert.Equal(2, store.StoreCalls);

        // Another circuit has a bucket of its own, but the relay's holds one upload more.
        var other = await relay.OpenClientAsync();
        Assert.Equal(DirectoryStatus.Ok, await UploadAsync(other, 1, new byte[10]));
        Assert.Equal(DirectoryStatus.Unavailable, await UploadAsync(other, 2, new byte[10]));

        // Both refill with time.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DirectoryStatus.Ok, await UploadAsync(other, 3, new byte[10]));
        Assert.Equal(4, store.StoreCalls);
    }

    [Fact]
    public async Task PartialUploadsCountAgainstTheMemoryLimitAndNoneStartsWhileOverIt()
    {
        long queued = 0;
        var quota = new MemoryQuota(new RelayLimitsOptions { MemoryLimit = 1L << 20, CacheTrimPercent = 0 }, () => Volatile.Read(ref queued));
        await using var relay = new RoleHarness(memoryQuota: quota);
        var client = await relay.OpenClientAsync();

        // An upload announced at 50,000 bytes that has delivered 10,000 holds a buffer of 16 KB (2 KB, doubled as
        // data arrives): that is what is counted, for the role and against the relay's limit.
        await client.SendAsync(new DescriptorStoreMessage(new byte[32], 50_000), stream: 1);
        await SendDataAsync(client, 1, new byte[10_000]);
        await SyncAsync(client);
        Assert.Equal(16_384, relay.Directory.PendingUploadBytes);
        Assert.Equal(16_384, quota.BufferBytes);
        Assert.Equal(16_384, quota.Used);

        // Over the limit, a new upload is refused at once, and the one under way cannot grow: it is refused too.
        Volatile.Write(ref queued, quota.Limit);
        Assert.True(quota.IsOverLimit);
        await client.SendAsync(new DescriptorStoreMessage(new byte[32], 100), stream: 2);
        Assert.Equal(DirectoryStatus.Unavailable, (await ReadAnswerAsync(client, 2)).Status);
        await SendDataAsync(client, 1, new byte[10_000]);
        Assert.Equal(DirectoryStatus.Unavailable, (await ReadAnswerAsync(client, 1)).Status);
        Assert.Equal(0, quota.BufferBytes);
        Assert.Equal(0, ((MemoryDescriptorStore)relay.Descriptors).StoreCalls);

        // Back under it: an upload ended by the client, one that completes and one that times out all give their bytes back.
        Volatile.Write(ref queued, 0);
        await client.SendAsync(new DescriptorStoreMessage(new byte[32], 5_000), stream: 3);
        await SendDataAsync(client, 3, new byte[3_000]);
        await SyncAsync(client);
        Assert.Equal(4_096, quota.BufferBytes);
        await client.SendAsync(new EndMessage(EndReason.Done), stream: 3);
        Assert.Equal(DirectoryStatus.Ok, await UploadAsync(client, 4, new byte[5_000]));
        await SyncAsync(client);
        Assert.Equal(0, quota.BufferBytes);
        Assert.Equal(0, relay.Directory.PendingUploadBytes);
    }

    [Fact]
    public async Task AnUploadThatTimesOutGivesItsBytesBack()
    {
        var quota = new MemoryQuota(new RelayLimitsOptions { MemoryLimit = 1L << 20, CacheTrimPercent = 0 }, () => 0);
        await using var relay = new RoleHarness(o => o.DescriptorUploadTimeout = TimeSpan.FromSeconds(1), memoryQuota: quota);
        var client = await relay.OpenClientAsync();

        await client.SendAsync(new DescriptorStoreMessage(new byte[32], 1_000), stream: 1);
        await client.SendAsync(new DataMessage(new byte[100]), stream: 1);
        Assert.Equal(EndReason.Timeout, (await client.ReceiveAsync()).Decode<EndMessage>().Reason);
        Assert.Equal(0, quota.BufferBytes);
        Assert.Equal(0, relay.Directory.PendingUploadBytes);
    }

    [Fact]
    public async Task UploadsInFlightAreBoundedAcrossCircuits()
    {
        await using var relay = new RoleHarness(o => o.MaxPendingUploadBytes = 64 * 1024);
        var first = await relay.OpenClientAsync();
        var second = await relay.OpenClientAsync();

        // The first holds 50,000 bytes; the second may grow to 8 KB but not to 16 KB.
        await first.SendAsync(new DescriptorStoreMessage(new byte[32], 50_000), stream: 1);
        await SendDataAsync(first, 1, new byte[40_000]);
        await SyncAsync(first);
        Assert.Equal(50_000, relay.Directory.PendingUploadBytes);
        await second.SendAsync(new DescriptorStoreMessage(new byte[32], 50_000), stream: 1);
        await SendDataAsync(second, 1, new byte[9_000]);
        Assert.Equal(DirectoryStatus.Unavailable, (await ReadAnswerAsync(second, 1)).Status);
        Assert.Equal(50_000, relay.Directory.PendingUploadBytes);

        // Circuits that close give everything back.
        await first.Circuit.DisposeAsync();
        await first.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step);
        Assert.Equal(0, relay.Directory.PendingUploadBytes);
    }

    private static async Task<DirectoryStatus> UploadAsync(RoleClient client, ushort stream, byte[] descriptor)
    {
        await client.SendAsync(new DescriptorStoreMessage(new byte[32], descriptor.Length), stream);
        await SendDataAsync(client, stream, descriptor);
        return (await ReadAnswerAsync(client, stream)).Status;
    }

    private static async Task SendDataAsync(RoleClient client, ushort stream, byte[] data)
    {
        for (var offset = 0; offset < data.Length; offset += RelayCell.MaxDataWithStream)
        {
            await client.SendAsync(new DataMessage(data.AsSpan(offset, Math.Min(RelayCell.MaxDataWithStream, data.Length - offset))), stream);
        }
    }

    // The relay handles a circuit's cells in order: once a fetch sent now is answered, everything before it was handled.
    private static async Task SyncAsync(RoleClient client)
    {
        await client.SendAsync(new DescriptorFetchMessage(Enumerable.Repeat((byte)0xEE, 32).ToArray()), stream: 99);
        Assert.Equal(DirectoryStatus.NotFound, (await ReadAnswerAsync(client, 99)).Status);
    }

    private static async Task<Answer> ReadAnswerAsync(RoleClient client, ushort stream)
    {
        var first = await client.ReceiveAsync();
        Assert.Equal(stream, first.Stream);
        var response = first.Decode<DirectoryResponseMessage>();
        var body = new MemoryStream();
        var cells = 0;
        while (true)
        {
            var next = await client.ReceiveAsync();
            Assert.Equal(stream, next.Stream);
            if (next.Command == RelayCommand.End)
            {
                return new Answer(response.Status, response.BodyLength, body.ToArray(), cells, next.Decode<EndMessage>().Reason);
            }

            Assert.Equal(RelayCommand.Data, next.Command);
            body.Write(next.Data);
            cells++;
        }
    }

    private sealed record Answer(DirectoryStatus Status, int DeclaredLength, byte[] Body, int DataCells, EndReason End);
}
