using HiddenPoint.Client.Identity;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Client.Tests.Identity;

public sealed class HiddenPointIdentityStoreTests : IDisposable
{
    private readonly DirectoryInfo _folder = System.IO.Directory.CreateTempSubdirectory("hpc-identity-");

    [Fact]
    public void The_identity_is_created_once_and_the_same_key_is_loaded_after()
    {
        var path = Path.Combine(_folder.FullName, "identity.key");

        var (created, wasCreated) = HiddenPointIdentityStore.LoadOrCreate(path);
        var (loaded, wasCreatedAgain) = HiddenPointIdentityStore.LoadOrCreate(path);
        using (created)
        using (loaded)
        {
            Assert.True(wasCreated);
            Assert.False(wasCreatedAgain);
            Assert.Equal(created.IdentityPublicKey, loaded.IdentityPublicKey);
        }
    }

    [Fact]
    public void A_corrupt_identity_file_is_refused_with_a_typed_error_and_left_as_it_was()
    {
        var path = Path.Combine(_folder.FullName, "identity.key");
        using (HiddenPointIdentityStore.LoadOrCreate(path).Key)
        {
        }

        var corrupt = "not a key file\n"u8.ToArray();
        File.WriteAllBytes(path, corrupt);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var error = Assert.Throws<IdentityFileException>(() => HiddenPointIdentityStore.LoadOrCreate(path));

        Assert.Equal(KeyFileProblem.Invalid, error.Problem);
        Assert.Equal(corrupt, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_key_file_of_another_role_is_refused()
    {
        var path = Path.Combine(_folder.FullName, "identity.key");
        using (var relayKey = RelayIdentityKey.Generate())
        {
            KeyFile.Write(relayKey, path);
        }

        var before = File.ReadAllBytes(path);
        var error = Assert.Throws<IdentityFileException>(() => HiddenPointIdentityStore.Load(path));

        Assert.Equal(KeyFileProblem.Invalid, error.Problem);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Loading_a_missing_identity_says_so()
    {
        var error = Assert.Throws<IdentityFileException>(() => HiddenPointIdentityStore.Load(Path.Combine(_folder.FullName, "missing.key")));
        Assert.Equal(KeyFileProblem.NotFound, error.Problem);
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
