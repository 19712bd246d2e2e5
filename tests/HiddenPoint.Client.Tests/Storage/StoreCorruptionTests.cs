using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Testing;

namespace HiddenPoint.Client.Tests.Storage;

/// <summary>A damaged file is reported with what it still holds, and left exactly as it was.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StoreCorruptionTests : IDisposable
{
    private const int PageSize = 4096;

    private readonly StoreFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task A_damaged_first_page_is_reported_corrupt_and_left_in_place()
    {
        await FillAsync(messages: 50);
        using (var file = File.OpenWrite(_fixture.DatabasePath))
        {
            file.Write(new byte[16]);
        }

        var before = RawDatabase.Hash(_fixture.DatabasePath);
        var failure = await _fixture.OpenFailsAsync();

        Assert.Equal(StoreOpenFailure.Corrupt, failure.Failure);
        Assert.NotNull(failure.Damage);
        Assert.Equal(before, RawDatabase.Hash(_fixture.DatabasePath));
    }

    [Fact]
    public async Task A_truncated_file_is_reported_corrupt_with_what_can_be_read()
    {
        await FillAsync(messages: 300);
        var length = new FileInfo(_fixture.DatabasePath).Length;
        Assert.True(length > 10 * PageSize);
        using (var file = File.OpenWrite(_fixture.DatabasePath))
        {
            file.SetLength(length / 2 / PageSize * PageSize);
        }

        var before = RawDatabase.Hash(_fixture.DatabasePath);
        var failure = await _fixture.OpenFailsAsync();

        Assert.Equal(StoreOpenFailure.Corrupt, failure.Failure);
        var damage = Assert.IsType<StoreDamage>(failure.Damage);
        Assert.True(damage.ProblemsFound > 0);
        Assert.Equal(new FileInfo(_fixture.DatabasePath).Length, damage.FileBytes);
        Assert.True(damage.Contacts == 1, failure.Message);
        Assert.True(damage.Messages is > 0 and < 300, failure.Message);
        Assert.Contains("left as it is", failure.Message, StringComparison.Ordinal);
        Assert.Equal(before, RawDatabase.Hash(_fixture.DatabasePath));
    }

    [Fact]
    public async Task Flipped_bytes_in_a_page_header_are_found_by_the_integrity_check()
    {
        await FillAsync(messages: 300);
        var before = FlipBytes(_fixture.DatabasePath, offset: 5 * PageSize, count: 8);

        var failure = await _fixture.OpenFailsAsync();

        Assert.Equal(StoreOpenFailure.Corrupt, failure.Failure);
        Assert.Equal(before, RawDatabase.Hash(_fixture.DatabasePath));
    }

    [Fact]
    public async Task An_empty_file_is_corrupt_not_a_new_store()
    {
        await FillAsync(messages: 1);
        File.WriteAllBytes(_fixture.DatabasePath, []);

        var failure = await _fixture.OpenFailsAsync(create: true);

        Assert.Equal(StoreOpenFailure.Corrupt, failure.Failure);
        Assert.Equal(0, new FileInfo(_fixture.DatabasePath).Length);
    }

    [Fact]
    public async Task Another_sqlite_database_is_not_taken_for_a_store()
    {
        File.Create(_fixture.DatabasePath, 0, FileOptions.None).Dispose();
        File.SetUnixFileMode(_fixture.DatabasePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        RawDatabase.Execute(_fixture.DatabasePath, "CREATE TABLE notes (text TEXT)");

        var failure = await _fixture.OpenFailsAsync();

        Assert.Equal(StoreOpenFailure.Corrupt, failure.Failure);
        Assert.Contains("not a HiddenPoint message store", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flipped_ciphertext_byte_is_found_on_read_and_the_rest_stays_readable()
    {
        var alice = TestHiddenIds.FromSeed(1);
        await FillAsync(messages: 20);
        var sealedBody = (byte[])RawDatabase.Scalar(_fixture.DatabasePath, "SELECT body FROM messages WHERE sequence = 7")!;
        var offset = File.ReadAllBytes(_fixture.DatabasePath).AsSpan().IndexOf(sealedBody);
        Assert.True(offset > 0);
        FlipBytes(_fixture.DatabasePath, offset + sealedBody.Length / 2, count: 1);

        using var store = await _fixture.OpenAsync(create: false);
        var verification = await store.VerifyAsync(Cancel());
        Assert.Equal(1, verification.DamagedMessages);
        Assert.Equal(20, verification.Messages);
        var history = await store.GetHistoryAsync(alice, 100, null, Cancel());
        Assert.Equal([7UL], history.Entries.Where(e => e.Damaged).Select(e => e.Sequence));
        var damaged = await Assert.ThrowsAsync<StoreDamagedException>(() => store.PendingAsync(alice, Cancel()));
        Assert.Equal(StoreTable.Messages, damaged.Table);
    }

    private async Task FillAsync(int messages)
    {
        var alice = TestHiddenIds.FromSeed(1);
        using var store = await _fixture.OpenAsync();
        await store.AddContactAsync(alice, "Alice", Cancel());
        var body = new byte[200];
        for (var i = 0; i < messages; i++)
        {
            await store.EnqueueAsync(alice, MessageId.NewRandom(), body, _fixture.Time.GetUtcNow(), Cancel());
        }
    }

    private static string FlipBytes(string path, long offset, int count)
    {
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            var bytes = new byte[count];
            file.Position = offset;
            file.ReadExactly(bytes);
            for (var i = 0; i < count; i++)
            {
                bytes[i] ^= 0xA5;
            }

            file.Position = offset;
            file.Write(bytes);
        }

        return RawDatabase.Hash(path);
    }

    private static CancellationToken Cancel() => new CancellationTokenSource(TestTimeouts.Step).Token;
}
