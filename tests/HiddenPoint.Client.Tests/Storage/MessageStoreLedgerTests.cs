using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Tests.Storage;

/// <summary>The ledger contract on the encrypted SQLite store.</summary>
public sealed class MessageStoreLedgerTests : LedgerContractTests, IDisposable
{
    private readonly StoreFixture _fixture = new();

    protected override async Task<IMessageLedger> CreateLedgerAsync() => await _fixture.OpenAsync();

    protected override Task DestroyLedgerAsync(IMessageLedger ledger)
    {
        ((MessageStore)ledger).Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Ledger_state_survives_closing_and_reopening()
    {
        var alice = Testing.TestHiddenIds.Random();
        await EnqueueAsync(alice, "one");
        await EnqueueAsync(alice, "two");
        await Ledger.MarkDeliveredAsync(alice, 1, Cancel());
        await Ledger.AcceptIncomingAsync(Incoming(alice, 1, "in"), Cancel());
        ((MessageStore)Ledger).Dispose();

        using var reopened = await _fixture.OpenAsync(create: false);
        var pending = Assert.Single(await reopened.PendingAsync(alice, Cancel()));
        Assert.Equal(2UL, pending.Sequence);
        Assert.Equal(1UL, await reopened.DeliveredThroughAsync(alice, Cancel()));
        Assert.Equal(3UL, (await reopened.EnqueueAsync(alice, MessageId.NewRandom(), "three"u8.ToArray(), DateTimeOffset.UnixEpoch, Cancel())).Sequence);
        Assert.Equal(alice, Assert.Single(await reopened.ContactsWithPendingAsync(Cancel())));
    }

    [Fact]
    public async Task A_refused_change_committed_with_others_fails_alone()
    {
        var alice = Testing.TestHiddenIds.Random();
        var first = EnqueueAsync(alice, "one");
        var refused = Ledger.MarkDeliveredAsync(alice, 5, Cancel());
        var gap = Ledger.AcceptIncomingAsync(Incoming(alice, 2, "gap"), Cancel());
        var second = EnqueueAsync(alice, "two");
        var accepted = Ledger.AcceptIncomingAsync(Incoming(alice, 1, "in"), Cancel());

        Assert.Equal(1UL, (await first).Sequence);
        Assert.Equal(2UL, (await second).Sequence);
        Assert.True(await accepted);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => refused);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => gap);
        Assert.Equal(2, (await Ledger.PendingAsync(alice, Cancel())).Count);
        Assert.Equal(1UL, await Ledger.DeliveredThroughAsync(alice, Cancel()));
    }

    [Fact]
    public async Task Changes_issued_without_waiting_are_applied_in_order()
    {
        var bob = Testing.TestHiddenIds.Random();
        var accepts = Enumerable.Range(1, 100).Select(i => Ledger.AcceptIncomingAsync(Incoming(bob, (ulong)i, "m" + i), Cancel())).ToArray();

        Assert.All(await Task.WhenAll(accepts).WaitAsync(Testing.TestTimeouts.Step), Assert.True);
        Assert.Equal(100UL, await Ledger.DeliveredThroughAsync(bob, Cancel()));
    }
}
