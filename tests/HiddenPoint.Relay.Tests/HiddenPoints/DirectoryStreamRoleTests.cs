using System.Security.Cryptography;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.HiddenPoints;

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

        Assert.Equal(Network.Circuits.CircuitCloseReason.ProtocolViolation, await client.RelaySide.Closed.Task.WaitAsync(RoleHarness.Timeout));
    }

    private static async Task<Answer> ReadAnswerAsync(TestClient client, ushort stream)
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
