using System.Text;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Testing;

namespace HiddenPoint.Client.Tests.Storage;

/// <summary>
/// What every <see cref="IMessageLedger"/> must do, as documented on the interface. A store's tests derive from this
/// class and supply a fresh, empty ledger per test.
/// </summary>
public abstract class LedgerContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset s_at = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private IMessageLedger? _ledger;

    /// <summary>The ledger under test (fresh and empty for each test).</summary>
    protected IMessageLedger Ledger => _ledger ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>Makes a fresh, empty ledger.</summary>
    protected abstract Task<IMessageLedger> CreateLedgerAsync();

    /// <summary>Releases the ledger and whatever it holds.</summary>
    protected abstract Task DestroyLedgerAsync(IMessageLedger ledger);

    public async Task InitializeAsync() => _ledger = await CreateLedgerAsync().WaitAsync(TestTimeouts.Step);

    public async Task DisposeAsync()
    {
        if (_ledger is not null)
        {
            await DestroyLedgerAsync(_ledger);
        }
    }

    [Fact]
    public async Task Sequence_numbers_start_at_one_without_gaps_per_conversation()
    {
        var alice = TestHiddenIds.Random();
        var bob = TestHiddenIds.Random();
        var sequences = new List<ulong>();
        for (var i = 0; i < 5; i++)
        {
            sequences.Add((await EnqueueAsync(alice, "a" + i)).Sequence);
        }

        var bobFirst = await EnqueueAsync(bob, "b0");
        Assert.Equal([1UL, 2, 3, 4, 5], sequences);
        Assert.Equal(1UL, bobFirst.Sequence);
    }

    [Fact]
    public async Task Enqueued_message_is_queued_and_returned_as_stored()
    {
        var alice = TestHiddenIds.Random();
        var id = MessageId.NewRandom();
        var queued = await Ledger.EnqueueAsync(alice, id, "hello"u8.ToArray(), s_at, Cancel());

        Assert.Equal(alice, queued.Contact);
        Assert.Equal(id, queued.Id);
        Assert.Equal(DeliveryState.Queued, queued.State);
        Assert.Equal(FailureReason.None, queued.Reason);
        Assert.Equal(s_at, queued.CreatedAt);
        Assert.Equal("hello"u8.ToArray(), queued.Body.ToArray());

        var pending = Assert.Single(await Ledger.PendingAsync(alice, Cancel()));
        Assert.Equal(id, pending.Id);
        Assert.Equal(1UL, pending.Sequence);
        Assert.Equal(s_at, pending.CreatedAt);
        Assert.Equal("hello"u8.ToArray(), pending.Body.ToArray());
    }

    [Fact]
    public async Task Concurrent_enqueues_get_distinct_gapless_sequence_numbers()
    {
        var alice = TestHiddenIds.Random();
        var tasks = Enumerable.Range(0, 40).Select(i => Task.Run(() => EnqueueAsync(alice, "m" + i))).ToArray();
        var queued = await Task.WhenAll(tasks).WaitAsync(TestTimeouts.Step);

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (ulong)i), queued.Select(m => m.Sequence).Order());
        var pending = await Ledger.PendingAsync(alice, Cancel());
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (ulong)i), pending.Select(m => m.Sequence));
    }

    [Fact]
    public async Task Pending_is_in_sequence_order_and_excludes_delivered_and_failed()
    {
        var alice = TestHiddenIds.Random();
        var messages = new List<OutgoingMessage>();
        for (var i = 0; i < 5; i++)
        {
            messages.Add(await EnqueueAsync(alice, "m" + i));
        }

        await Ledger.MarkDeliveredAsync(alice, 2, Cancel());
        await Ledger.MarkFailedAsync(alice, messages[3].Id, FailureReason.Cancelled, Cancel());

        var pending = await Ledger.PendingAsync(alice, Cancel());
        Assert.Equal([3UL, 5], pending.Select(m => m.Sequence));
        Assert.Equal(["m2", "m4"], pending.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
    }

    [Fact]
    public async Task Mark_sent_moves_queued_messages_through_the_sequence_to_sent()
    {
        var alice = TestHiddenIds.Random();
        for (var i = 0; i < 3; i++)
        {
            await EnqueueAsync(alice, "m" + i);
        }

        await Ledger.MarkSentAsync(alice, 2, Cancel());

        var pending = await Ledger.PendingAsync(alice, Cancel());
        Assert.Equal([DeliveryState.Sent, DeliveryState.Sent, DeliveryState.Queued], pending.Select(m => m.State));
    }

    [Fact]
    public async Task Mark_delivered_is_idempotent()
    {
        var alice = TestHiddenIds.Random();
        for (var i = 0; i < 4; i++)
        {
            await EnqueueAsync(alice, "m" + i);
        }

        await Ledger.MarkDeliveredAsync(alice, 3, Cancel());
        await Ledger.MarkDeliveredAsync(alice, 3, Cancel());
        await Ledger.MarkDeliveredAsync(alice, 1, Cancel());

        var pending = Assert.Single(await Ledger.PendingAsync(alice, Cancel()));
        Assert.Equal(4UL, pending.Sequence);
    }

    [Fact]
    public async Task Acknowledgement_beyond_the_last_enqueued_is_refused_and_changes_nothing()
    {
        var alice = TestHiddenIds.Random();
        await EnqueueAsync(alice, "m0");
        await EnqueueAsync(alice, "m1");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Ledger.MarkDeliveredAsync(alice, 3, Cancel()));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Ledger.MarkDeliveredAsync(TestHiddenIds.Random(), 1, Cancel()));

        Assert.Equal(2, (await Ledger.PendingAsync(alice, Cancel())).Count);
    }

    [Fact]
    public async Task Acknowledgement_of_zero_with_nothing_enqueued_is_accepted()
    {
        await Ledger.MarkDeliveredAsync(TestHiddenIds.Random(), 0, Cancel());
    }

    [Fact]
    public async Task Failed_message_keeps_its_reason_and_leaves_the_outbox()
    {
        var alice = TestHiddenIds.Random();
        var first = await EnqueueAsync(alice, "m0");
        await EnqueueAsync(alice, "m1");

        await Ledger.MarkFailedAsync(alice, first.Id, FailureReason.TooLarge, Cancel());

        var pending = Assert.Single(await Ledger.PendingAsync(alice, Cancel()));
        Assert.Equal(2UL, pending.Sequence);
    }

    [Fact]
    public async Task Contacts_with_pending_lists_exactly_those_with_undelivered_messages()
    {
        var alice = TestHiddenIds.Random();
        var bob = TestHiddenIds.Random();
        var carol = TestHiddenIds.Random();
        await EnqueueAsync(alice, "a");
        await EnqueueAsync(bob, "b");
        await Ledger.MarkDeliveredAsync(bob, 1, Cancel());
        await Ledger.AcceptIncomingAsync(Incoming(carol, 1, "c"), Cancel());

        var contacts = await Ledger.ContactsWithPendingAsync(Cancel());
        Assert.Equal(alice, Assert.Single(contacts));
    }

    [Fact]
    public async Task Delivered_through_is_zero_for_an_unknown_contact()
    {
        Assert.Equal(0UL, await Ledger.DeliveredThroughAsync(TestHiddenIds.Random(), Cancel()));
    }

    [Fact]
    public async Task Incoming_messages_are_accepted_in_order_and_advance_delivered_through()
    {
        var bob = TestHiddenIds.Random();
        Assert.True(await Ledger.AcceptIncomingAsync(Incoming(bob, 1, "one"), Cancel()));
        Assert.True(await Ledger.AcceptIncomingAsync(Incoming(bob, 2, "two"), Cancel()));
        Assert.Equal(2UL, await Ledger.DeliveredThroughAsync(bob, Cancel()));
    }

    [Fact]
    public async Task Duplicate_incoming_message_is_refused_and_stores_nothing()
    {
        var bob = TestHiddenIds.Random();
        Assert.True(await Ledger.AcceptIncomingAsync(Incoming(bob, 1, "one"), Cancel()));
        Assert.True(await Ledger.AcceptIncomingAsync(Incoming(bob, 2, "two"), Cancel()));

        Assert.False(await Ledger.AcceptIncomingAsync(Incoming(bob, 1, "one again"), Cancel()));
        Assert.False(await Ledger.AcceptIncomingAsync(Incoming(bob, 2, "two again"), Cancel()));
        Assert.Equal(2UL, await Ledger.DeliveredThroughAsync(bob, Cancel()));
    }

    [Fact]
    public async Task Incoming_message_beyond_a_gap_is_refused()
    {
        var bob = TestHiddenIds.Random();
        Assert.True(await Ledger.AcceptIncomingAsync(Incoming(bob, 1, "one"), Cancel()));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Ledger.AcceptIncomingAsync(Incoming(bob, 3, "three"), Cancel()));
        Assert.Equal(1UL, await Ledger.DeliveredThroughAsync(bob, Cancel()));
        Assert.True(await Ledger.AcceptIncomingAsync(Incoming(bob, 2, "two"), Cancel()));
    }

    [Fact]
    public async Task Incoming_and_outgoing_sequences_are_independent()
    {
        var bob = TestHiddenIds.Random();
        Assert.True(await Ledger.AcceptIncomingAsync(Incoming(bob, 1, "in"), Cancel()));
        var outgoing = await EnqueueAsync(bob, "out");

        Assert.Equal(1UL, outgoing.Sequence);
        Assert.Equal(1UL, await Ledger.DeliveredThroughAsync(bob, Cancel()));
    }

    protected Task<OutgoingMessage> EnqueueAsync(HiddenId contact, string body) =>
        Ledger.EnqueueAsync(contact, MessageId.NewRandom(), Encoding.UTF8.GetBytes(body), s_at, Cancel());

    protected static IncomingMessage Incoming(HiddenId contact, ulong sequence, string body) =>
        new(contact, MessageId.NewRandom(), sequence, Encoding.UTF8.GetBytes(body), s_at, s_at.AddSeconds(1));

    protected static CancellationToken Cancel() => new CancellationTokenSource(TestTimeouts.Step).Token;
}
