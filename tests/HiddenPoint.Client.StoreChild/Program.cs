using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

// Usage: hpc-store-child write <database> <contact seed>   (passphrase in HPC_PASSPHRASE)
//        hpc-store-child open <database>
// "write" reports every completed ledger call on stdout, one line each, flushed before the next call starts:
//   E <sequence> <id>   an outgoing message was enqueued (its body is its id in hex)
//   A <sequence>   an incoming message was accepted (its body is "incoming <sequence>")
//   D <sequence>   outgoing messages through <sequence> were marked delivered
// and runs until killed. "open" prints "opened" or "failed <StoreOpenFailure>" and exits.
var mode = args[0];
var options = new MessageStoreOptions { DatabasePath = args[1], CreateIfMissing = true, KdfMemoryKib = 8, KdfPasses = 1 };
var output = Console.Out;
MessageStore store;
try
{
    store = await MessageStore.OpenAsync(options, new EnvironmentPassphraseSource(), TimeProvider.System, null, CancellationToken.None);
}
catch (StoreOpenException e)
{
    await output.WriteLineAsync("failed " + e.Failure.ToString());
    await output.FlushAsync();
    return 2;
}

using (store)
{
    if (mode == "open")
    {
        await output.WriteLineAsync("opened");
        await output.FlushAsync();
        return 0;
    }

    Span<byte> seed = stackalloc byte[32];
    BinaryPrimitives.WriteInt32BigEndian(seed, int.Parse(args[2], CultureInfo.InvariantCulture));
    HiddenId contact;
    using (var key = HiddenPointIdentitySecretKey.FromSeed(seed))
    {
        contact = key.PublicKey.ToHiddenId();
    }

    var incoming = await store.DeliveredThroughAsync(contact, CancellationToken.None);
    await output.WriteLineAsync("ready");
    await output.FlushAsync();
    while (true)
    {
        var id = MessageId.NewRandom();
        var queued = await store.EnqueueAsync(contact, id, Encoding.UTF8.GetBytes(id.ToString()), DateTimeOffset.UtcNow, CancellationToken.None);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"E {queued.Sequence} {id}"));
        await output.FlushAsync();
        incoming++;
        await store.AcceptIncomingAsync(new IncomingMessage(contact, MessageId.NewRandom(), incoming, Body("incoming", incoming), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), CancellationToken.None);
        await Report('A', incoming);
        if (queued.Sequence % 3 == 0)
        {
            await store.MarkDeliveredAsync(contact, queued.Sequence - 1, CancellationToken.None);
            await Report('D', queued.Sequence - 1);
        }
    }
}

async Task Report(char what, ulong sequence)
{
    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{what} {sequence}"));
    await output.FlushAsync();
}

static byte[] Body(string what, ulong sequence) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{what} {sequence}"));
