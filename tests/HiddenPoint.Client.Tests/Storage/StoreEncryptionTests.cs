using System.Text;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Testing;

namespace HiddenPoint.Client.Tests.Storage;

public sealed class StoreEncryptionTests : IDisposable
{
    private const string Body = "MARKER-BODY the meeting is at the old mill";
    private const string IncomingBody = "MARKER-INCOMING bring the documents";
    private const string Name = "MARKER-NAME Zebulon";
    private const string SettingValue = "MARKER-SETTING value";

    private readonly StoreFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task No_body_name_or_hidden_id_is_in_the_files_while_open_or_after_closing()
    {
        var alice = TestHiddenIds.Random();
        using (var store = await _fixture.OpenAsync())
        {
            await Fill(store, alice);
            AssertNoPlaintext(RawDatabase.FileBytes(_fixture.DatabasePath), alice);
        }

        AssertNoPlaintext(RawDatabase.FileBytes(_fixture.DatabasePath), alice);
    }

    [Fact]
    public async Task Wrong_passphrase_is_a_typed_error_and_changes_nothing()
    {
        using (var store = await _fixture.OpenAsync())
        {
            await Fill(store, TestHiddenIds.Random());
        }

        var before = RawDatabase.Hash(_fixture.DatabasePath);
        var failure = await _fixture.OpenFailsAsync("Correct horse battery staple");

        Assert.Equal(StoreOpenFailure.WrongPassphrase, failure.Failure);
        Assert.Equal(before, RawDatabase.Hash(_fixture.DatabasePath));
        using var reopened = await _fixture.OpenAsync(create: false);
    }

    [Fact]
    public async Task Altered_key_parameters_read_as_a_wrong_passphrase_not_a_weaker_key()
    {
        using (await _fixture.OpenAsync())
        {
        }

        RawDatabase.Execute(_fixture.DatabasePath, "UPDATE key_header SET kdf_passes = 2");

        Assert.Equal(StoreOpenFailure.WrongPassphrase, (await _fixture.OpenFailsAsync()).Failure);
    }

    [Fact]
    public async Task Bodies_swapped_between_rows_do_not_open()
    {
        var alice = TestHiddenIds.Random();
        using (var store = await _fixture.OpenAsync())
        {
            await store.EnqueueAsync(alice, MessageId.NewRandom(), "first"u8.ToArray(), DateTimeOffset.UnixEpoch, Cancel());
            await store.EnqueueAsync(alice, MessageId.NewRandom(), "second"u8.ToArray(), DateTimeOffset.UnixEpoch, Cancel());
        }

        RawDatabase.Execute(_fixture.DatabasePath, """
            CREATE TEMP TABLE original AS SELECT sequence, body FROM messages;
            UPDATE messages SET body = (SELECT body FROM original WHERE original.sequence = 3 - messages.sequence);
            """);

        using var reopened = await _fixture.OpenAsync(create: false);
        var damaged = await Assert.ThrowsAsync<StoreDamagedException>(() => reopened.PendingAsync(alice, Cancel()));
        Assert.Equal(StoreTable.Messages, damaged.Table);
        var history = await reopened.GetHistoryAsync(alice, 10, null, Cancel());
        Assert.All(history.Entries, e => Assert.True(e.Damaged));
        Assert.Equal(2, (await reopened.VerifyAsync(Cancel())).DamagedMessages);
    }

    [Fact]
    public async Task A_contact_row_moved_to_another_hidden_id_does_not_open()
    {
        var alice = TestHiddenIds.Random();
        var bob = TestHiddenIds.Random();
        using (var store = await _fixture.OpenAsync())
        {
            await store.AddContactAsync(alice, "Alice", Cancel());
            await store.AddContactAsync(bob, "Bob", Cancel());
        }

        // Alice's lookup key now finds Bob's sealed name: the name is bound to Bob's row.
        RawDatabase.Execute(_fixture.DatabasePath, """
            UPDATE contacts SET name = (SELECT name FROM contacts WHERE rowid = 2) WHERE rowid = 1
            """);

        using var reopened = await _fixture.OpenAsync(create: false);
        await Assert.ThrowsAsync<StoreDamagedException>(() => reopened.GetContactAsync(alice, Cancel()));
        Assert.Equal("Bob", (await reopened.GetContactAsync(bob, Cancel()))!.Name);
        Assert.Equal(1, (await reopened.VerifyAsync(Cancel())).DamagedContacts);
    }

    private async Task Fill(MessageStore store, HiddenId alice)
    {
        await store.AddContactAsync(alice, Name, Cancel());
        await store.EnqueueAsync(alice, MessageId.NewRandom(), Encoding.UTF8.GetBytes(Body), _fixture.Time.GetUtcNow(), Cancel());
        await store.AcceptIncomingAsync(new IncomingMessage(alice, MessageId.NewRandom(), 1, Encoding.UTF8.GetBytes(IncomingBody), _fixture.Time.GetUtcNow(), _fixture.Time.GetUtcNow()), Cancel());
        await store.SetSettingAsync("note", SettingValue, Cancel());
        Assert.Equal(Name, (await store.GetContactAsync(alice, Cancel()))!.Name);
    }

    private static void AssertNoPlaintext(byte[] file, HiddenId alice)
    {
        Assert.True(file.Length > 4096);
        Assert.False(RawDatabase.Contains(file, Encoding.UTF8.GetBytes(Body)));
        Assert.False(RawDatabase.Contains(file, Encoding.UTF8.GetBytes(IncomingBody)));
        Assert.False(RawDatabase.Contains(file, Encoding.UTF8.GetBytes(Name)));
        Assert.False(RawDatabase.Contains(file, Encoding.UTF8.GetBytes(SettingValue)));
        Assert.False(RawDatabase.Contains(file, "MARKER"u8));
        Assert.False(RawDatabase.Contains(file, alice.IdentityKey.Bytes));
        Assert.False(RawDatabase.Contains(file, Encoding.ASCII.GetBytes(alice.ToString(HiddenIdLabels.Hpc)[..HiddenId.EncodedLength])));
        Assert.False(RawDatabase.Contains(file, Encoding.ASCII.GetBytes(alice.ToString(HiddenIdLabels.Hpc)[..HiddenId.EncodedLength].ToUpperInvariant())));
    }

    private static CancellationToken Cancel() => new CancellationTokenSource(TestTimeouts.Step).Token;
}
