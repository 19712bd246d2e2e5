using System.Text;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Testing;

namespace HiddenPoint.Client.Tests.Storage;

public sealed class MessageStoreTests : IDisposable
{
    private readonly StoreFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Contacts_are_added_renamed_listed_and_removed()
    {
        using var store = await _fixture.OpenAsync();
        var alice = TestHiddenIds.Random();
        var bob = TestHiddenIds.Random();

        Assert.Equal(ContactResult.Added, await store.AddContactAsync(alice, "Alice", Cancel()));
        Assert.Equal(ContactResult.AlreadyExists, await store.AddContactAsync(alice, "Other", Cancel()));
        _fixture.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ContactResult.Added, await store.AddContactAsync(bob, "Bob", Cancel()));
        Assert.Equal(ContactResult.Updated, await store.RenameContactAsync(alice, "Alice B.", Cancel()));
        Assert.Equal(ContactResult.NotFound, await store.RenameContactAsync(TestHiddenIds.Random(), "X", Cancel()));

        var contacts = await store.ListContactsAsync(Cancel());
        Assert.Equal([alice, bob], contacts.Select(c => c.HiddenId));
        Assert.Equal(["Alice B.", "Bob"], contacts.Select(c => c.Name));
        Assert.All(contacts, c => Assert.Equal(ContactState.Accepted, c.State));
        Assert.Equal(_fixture.Time.GetUtcNow().AddMinutes(-1), contacts[0].Created);

        Assert.Equal(ContactResult.Removed, await store.RemoveContactAsync(alice, Cancel()));
        Assert.Equal(ContactResult.NotFound, await store.RemoveContactAsync(alice, Cancel()));
        Assert.Null(await store.GetContactAsync(alice, Cancel()));
        Assert.Equal("Bob", (await store.GetContactAsync(bob, Cancel()))!.Name);
    }

    [Fact]
    public async Task Contact_names_are_bounded()
    {
        using var store = await _fixture.OpenAsync();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.AddContactAsync(TestHiddenIds.Random(), "", Cancel()));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.AddContactAsync(TestHiddenIds.Random(), new string('x', MessageStore.MaxContactNameBytes + 1), Cancel()));
    }

    [Fact]
    public async Task A_request_is_accepted_under_a_name()
    {
        using var store = await _fixture.OpenAsync();
        var stranger = TestHiddenIds.Random();

        Assert.Equal(ContactResult.Added, await store.AddRequestAsync(stranger, Cancel()));
        Assert.Equal(ContactState.Requested, (await store.GetContactAsync(stranger, Cancel()))!.State);
        Assert.Equal(ContactResult.Updated, await store.AcceptRequestAsync(stranger, "Carol", Cancel()));
        Assert.Equal(ContactResult.NotARequest, await store.AcceptRequestAsync(stranger, "Carol", Cancel()));
        Assert.Equal(ContactResult.NotFound, await store.AcceptRequestAsync(TestHiddenIds.Random(), "X", Cancel()));

        var contact = (await store.GetContactAsync(stranger, Cancel()))!;
        Assert.Equal(ContactState.Accepted, contact.State);
        Assert.Equal("Carol", contact.Name);
    }

    [Fact]
    public async Task A_rejected_request_takes_its_messages_with_it()
    {
        using var store = await _fixture.OpenAsync();
        var stranger = TestHiddenIds.Random();
        await store.AddRequestAsync(stranger, Cancel());
        await store.AcceptIncomingAsync(Incoming(stranger, 1, "hi, remember me?"), Cancel());

        Assert.Equal(ContactResult.Removed, await store.RejectRequestAsync(stranger, Cancel()));

        Assert.Null(await store.GetContactAsync(stranger, Cancel()));
        Assert.Empty((await store.GetHistoryAsync(stranger, 10, null, Cancel())).Entries);
        Assert.Equal(0UL, await store.DeliveredThroughAsync(stranger, Cancel()));
        Assert.Equal(ContactResult.NotFound, await store.RejectRequestAsync(stranger, Cancel()));
    }

    [Fact]
    public async Task Blocking_works_for_known_and_unknown_senders()
    {
        using var store = await _fixture.OpenAsync();
        var known = TestHiddenIds.Random();
        var unknown = TestHiddenIds.Random();
        await store.AddContactAsync(known, "Known", Cancel());

        Assert.Equal(ContactResult.Updated, await store.BlockContactAsync(known, Cancel()));
        Assert.Equal(ContactResult.Added, await store.BlockContactAsync(unknown, Cancel()));

        Assert.Equal(ContactState.Blocked, (await store.GetContactAsync(known, Cancel()))!.State);
        Assert.Equal("Known", (await store.GetContactAsync(known, Cancel()))!.Name);
        Assert.Equal(ContactState.Blocked, (await store.GetContactAsync(unknown, Cancel()))!.State);
        Assert.Equal(ContactResult.NotARequest, await store.AcceptRequestAsync(unknown, "X", Cancel()));
    }

    [Fact]
    public async Task History_gives_the_latest_messages_and_pages_back_to_the_start()
    {
        using var store = await _fixture.OpenAsync();
        var alice = TestHiddenIds.Random();
        var other = TestHiddenIds.Random();
        ulong incoming = 0;
        for (var i = 0; i < 25; i++)
        {
            if (i % 5 == 4)
            {
                await store.AcceptIncomingAsync(Incoming(alice, ++incoming, "in " + i), Cancel());
            }
            else
            {
                await store.EnqueueAsync(alice, MessageId.NewRandom(), Encoding.UTF8.GetBytes("out " + i), _fixture.Time.GetUtcNow(), Cancel());
            }

            await store.EnqueueAsync(other, MessageId.NewRandom(), "elsewhere"u8.ToArray(), _fixture.Time.GetUtcNow(), Cancel());
        }

        var seen = new List<string>();
        long? before = null;
        var pages = 0;
        do
        {
            var page = await store.GetHistoryAsync(alice, 10, before, Cancel());
            seen.InsertRange(0, page.Entries.Select(e => Encoding.UTF8.GetString(e.Body.Span)));
            Assert.True(page.Entries.Count is 10 or 5);
            before = page.Older;
            pages++;
        }
        while (before is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (i % 5 == 4 ? "in " : "out ") + i), seen);

        var latest = await store.GetHistoryAsync(alice, 2, null, Cancel());
        Assert.Equal(["out 23", "in 24"], latest.Entries.Select(e => Encoding.UTF8.GetString(e.Body.Span)));
        Assert.Equal(MessageDirection.Incoming, latest.Entries[1].Direction);
        Assert.Equal(DeliveryState.Delivered, latest.Entries[1].State);
        Assert.Equal(5UL, latest.Entries[1].Sequence);
        Assert.NotNull(latest.Entries[1].SentAt);
        Assert.Equal(MessageDirection.Outgoing, latest.Entries[0].Direction);
        Assert.Equal(DeliveryState.Queued, latest.Entries[0].State);
        Assert.Null(latest.Entries[0].SentAt);
    }

    [Fact]
    public async Task Counts_follow_delivery_states_and_contacts()
    {
        using var store = await _fixture.OpenAsync();
        var alice = TestHiddenIds.Random();
        await store.AddContactAsync(alice, "Alice", Cancel());
        await store.AddRequestAsync(TestHiddenIds.Random(), Cancel());
        var messages = new List<OutgoingMessage>();
        for (var i = 0; i < 6; i++)
        {
            messages.Add(await store.EnqueueAsync(alice, MessageId.NewRandom(), "m"u8.ToArray(), _fixture.Time.GetUtcNow(), Cancel()));
        }

        await store.MarkSentAsync(alice, 4, Cancel());
        await store.MarkDeliveredAsync(alice, 2, Cancel());
        await store.MarkFailedAsync(alice, messages[5].Id, FailureReason.Cancelled, Cancel());
        await store.AcceptIncomingAsync(Incoming(alice, 1, "in"), Cancel());

        Assert.Equal(new StoreCounts(Queued: 1, Sent: 2, Delivered: 2, Failed: 1, Received: 1, Contacts: 1, Requests: 1), await store.GetCountsAsync(Cancel()));
    }

    [Fact]
    public async Task Settings_are_set_replaced_read_and_removed()
    {
        using var store = await _fixture.OpenAsync();
        Assert.Null(await store.GetSettingAsync("display.name", Cancel()));
        await store.SetSettingAsync("display.name", "me", Cancel());
        await store.SetSettingAsync("display.name", "still me", Cancel());
        Assert.Equal("still me", await store.GetSettingAsync("display.name", Cancel()));
        Assert.True(await store.RemoveSettingAsync("display.name", Cancel()));
        Assert.False(await store.RemoveSettingAsync("display.name", Cancel()));
        await Assert.ThrowsAsync<ArgumentException>(() => store.SetSettingAsync("no spaces", "x", Cancel()));
    }

    [Fact]
    public async Task Verification_of_an_intact_store_counts_every_row()
    {
        using var store = await _fixture.OpenAsync();
        var alice = TestHiddenIds.Random();
        await store.AddContactAsync(alice, "Alice", Cancel());
        await store.EnqueueAsync(alice, MessageId.NewRandom(), "m"u8.ToArray(), _fixture.Time.GetUtcNow(), Cancel());
        await store.AcceptIncomingAsync(Incoming(alice, 1, "in"), Cancel());
        await store.SetSettingAsync("a", "b", Cancel());

        var verification = await store.VerifyAsync(Cancel());
        Assert.True(verification.IsIntact);
        Assert.Equal(new StoreVerification(1, 0, 2, 0, 1, 0, 1, 0), verification);
    }

    private IncomingMessage Incoming(Crypto.HiddenPoints.HiddenId contact, ulong sequence, string body) =>
        new(contact, MessageId.NewRandom(), sequence, Encoding.UTF8.GetBytes(body), _fixture.Time.GetUtcNow(), _fixture.Time.GetUtcNow());

    private static CancellationToken Cancel() => new CancellationTokenSource(TestTimeouts.Step).Token;
}
