using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Testing;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Client.Tests.Storage;

/// <summary>Message stores in a private temporary folder, with a cheap Argon2id so tests stay fast.</summary>
internal sealed class StoreFixture : IDisposable
{
    public const string Secret = "correct horse battery staple";

    public PrivateTempFolder Folder { get; } = new("hpc-store-tests-");

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public string DatabasePath => Folder.File(MessageStoreOptions.DefaultFileName);

    public MessageStoreOptions Options(bool create = true) => new()
    {
        DatabasePath = DatabasePath,
        CreateIfMissing = create,
        KdfMemoryKib = 64,
        KdfPasses = 1,
    };

    public Task<MessageStore> OpenAsync(string passphrase = Secret, bool create = true) => OpenAsync(Options(create), passphrase);

    public async Task<MessageStore> OpenAsync(MessageStoreOptions options, string passphrase = Secret)
    {
        using var secret = Passphrase.FromText(passphrase);
        return await MessageStore.OpenAsync(options, secret, Time, null, CancellationToken.None).WaitAsync(TestTimeouts.Step);
    }

    public async Task<StoreOpenException> OpenFailsAsync(string passphrase = Secret, bool create = false)
    {
        using var secret = Passphrase.FromText(passphrase);
        return await Assert.ThrowsAsync<StoreOpenException>(
            () => MessageStore.OpenAsync(Options(create), secret, Time, null, CancellationToken.None).WaitAsync(TestTimeouts.Step));
    }

    public void Dispose() => Folder.Dispose();
}
