using BenchmarkDotNet.Attributes;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Testing;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// The message store with 100,000 messages in its history (100 conversations of 1,000; 100-byte bodies): opening a
/// conversation's latest 100 messages, decrypted, as a front end does when the user opens a conversation.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(15)]
public class MessageStoreHistoryBenchmarks
{
    private const int Conversations = 100;
    private const int MessagesPerConversation = 1000;

    private PrivateTempFolder _folder = null!;
    private MessageStore _store = null!;
    private HiddenId _contact = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = new PrivateTempFolder("hpc-store-bench-");
        var options = MessageStoreBenchmarkSupport.Options(_folder, StoreDurability.ProcessCrash);
        var contacts = Enumerable.Range(0, Conversations).Select(TestHiddenIds.FromSeed).ToArray();
        _contact = contacts[Conversations / 2];
        var body = new byte[100];
        using (var filling = MessageStoreBenchmarkSupport.Open(options))
        {
            // Interleaved, as real conversations are: a conversation's messages are spread over the whole table.
            for (var i = 0; i < MessagesPerConversation; i++)
            {
                foreach (var contact in contacts)
                {
                    filling.EnqueueAsync(contact, MessageId.NewRandom(), body, DateTimeOffset.UnixEpoch, CancellationToken.None).GetAwaiter().GetResult();
                }
            }
        }

        options.Durability = StoreDurability.PowerLoss;
        _store = MessageStoreBenchmarkSupport.Open(options);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    /// <summary>A conversation's latest 100 messages, bodies decrypted and authenticated.</summary>
    [Benchmark]
    public async Task<int> OpenLatest100()
    {
        var page = await _store.GetHistoryAsync(_contact, 100, null, CancellationToken.None);
        return page.Entries.Count;
    }
}

/// <summary>
/// The ledger's write path, one durable transaction per call: a message enqueued and then acknowledged (two
/// transactions, what a sent message costs the store), and a received message accepted.
/// </summary>
[WarmupCount(3)]
[IterationCount(15)]
public class MessageStoreWriteBenchmarks
{
    private PrivateTempFolder _folder = null!;
    private MessageStore _store = null!;
    private HiddenId _contact = null!;
    private byte[] _body = null!;
    private const int Window = 64;

    private ulong _incoming;

    /// <summary>SQLite synchronous=FULL (PowerLoss) or NORMAL (ProcessCrash), both in WAL mode.</summary>
    [Params(StoreDurability.PowerLoss, StoreDurability.ProcessCrash)]
    public StoreDurability Durability { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = new PrivateTempFolder("hpc-store-bench-");
        _store = MessageStoreBenchmarkSupport.Open(MessageStoreBenchmarkSupport.Options(_folder, Durability));
        _contact = TestHiddenIds.FromSeed(1);
        _body = new byte[100];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    /// <summary>Enqueue one 100-byte message, then record its acknowledgement.</summary>
    [Benchmark]
    public async Task EnqueueAndMarkDelivered()
    {
        var message = await _store.EnqueueAsync(_contact, MessageId.NewRandom(), _body, DateTimeOffset.UnixEpoch, CancellationToken.None);
        await _store.MarkDeliveredAsync(_contact, message.Sequence, CancellationToken.None);
    }

    /// <summary>
    /// 64 messages enqueued without waiting for each (as a conversation with a window of outstanding messages does),
    /// then one acknowledgement for all: the writer commits what is waiting together. Per message.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Window)]
    public async Task EnqueueWindowAndMarkDelivered()
    {
        Task<OutgoingMessage>? last = null;
        for (var i = 0; i < Window; i++)
        {
            last = _store.EnqueueAsync(_contact, MessageId.NewRandom(), _body, DateTimeOffset.UnixEpoch, CancellationToken.None);
        }

        var message = await last!;
        await _store.MarkDeliveredAsync(_contact, message.Sequence, CancellationToken.None);
    }

    /// <summary>64 received messages stored without waiting for each, then awaited together. Per message.</summary>
    [Benchmark(OperationsPerInvoke = Window)]
    public async Task AcceptIncomingWindow()
    {
        Task<bool>? last = null;
        for (var i = 0; i < Window; i++)
        {
            last = _store.AcceptIncomingAsync(new IncomingMessage(_contact, MessageId.NewRandom(), ++_incoming, _body, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), CancellationToken.None);
        }

        await last!;
    }

    /// <summary>Store one received 100-byte message.</summary>
    [Benchmark]
    public Task<bool> AcceptIncoming() =>
        _store.AcceptIncomingAsync(new IncomingMessage(_contact, MessageId.NewRandom(), ++_incoming, _body, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), CancellationToken.None);
}

internal static class MessageStoreBenchmarkSupport
{
    public static MessageStoreOptions Options(PrivateTempFolder folder, StoreDurability durability) => new()
    {
        DatabasePath = folder.File(MessageStoreOptions.DefaultFileName),
        CreateIfMissing = true,
        KdfMemoryKib = 64,
        KdfPasses = 1,
        Durability = durability,
    };

    public static MessageStore Open(MessageStoreOptions options)
    {
        using var passphrase = Passphrase.FromText("benchmark");
        return MessageStore.OpenAsync(options, passphrase, TimeProvider.System, null, CancellationToken.None).GetAwaiter().GetResult();
    }
}
