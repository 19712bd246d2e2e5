using System.Text.Json;

namespace HiddenPoint.Client.Tests.Cli;

/// <summary>hpc-client backup and restore as processes: the round trip, and each refusal with its exit code.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BackupRestoreTests : IDisposable
{
    private readonly HpcClient _original = new();
    private readonly HpcClient _restored = new();

    public void Dispose()
    {
        _original.Dispose();
        _restored.Dispose();
    }

    [Fact]
    public async Task A_backup_restores_the_same_hidden_id_and_contacts_into_an_empty_directory_and_refuses_what_it_must()
    {
        var hiddenId = await _original.InitAsync();
        var passphrase = HpcClient.WithPassphrase(HpcClient.Passphrase);
        var friend = HiddenPoint.Testing.TestHiddenIds.Random().ToString();
        var added = await _original.RunAsync(["contacts", "add", friend, "friend"], passphrase);
        Assert.True(added.ExitCode == 0, added.ToString());

        var file = _original.Folder.File("hpc.backup");
        var backup = await _original.RunAsync(["backup", file], passphrase);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        // Never over an existing file.
        Assert.Equal(73, (await _original.RunAsync(["backup", file], passphrase)).ExitCode);

        // A wrong passphrase, and a cut file, are refused and leave nothing behind.
        var wrong = await _restored.RunAsync(["restore", file], HpcClient.WithPassphrase("not it"));
        Assert.True(wrong.ExitCode == 77, wrong.ToString());
        var cut = _restored.Folder.File("cut.backup");
        await File.WriteAllBytesAsync(cut, (await File.ReadAllBytesAsync(file))[..40]);
        var refused = await _restored.RunAsync(["restore", cut], passphrase);
        Assert.True(refused.ExitCode == 65, refused.ToString());
        Assert.False(File.Exists(Path.Combine(_restored.DataDirectory, "identity.key")));

        var restore = await _restored.RunAsync(["restore", file], passphrase);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(hiddenId, HpcClient.HiddenIdOf(restore.Output));
        var contacts = await _restored.RunAsync(["contacts", "list", "--json"], passphrase);
        using (var json = JsonDocument.Parse(contacts.Output))
        {
            var entry = Assert.Single(json.RootElement.GetProperty("contacts").EnumerateArray());
            Assert.Equal(friend, entry.GetProperty("hiddenId").GetString());
            Assert.Equal("friend", entry.GetProperty("name").GetString());
        }

        // Never over an identity that is there.
        Assert.Equal(73, (await _restored.RunAsync(["restore", file], passphrase)).ExitCode);
    }
}
