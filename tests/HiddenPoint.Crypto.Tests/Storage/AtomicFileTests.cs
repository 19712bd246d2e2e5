using HiddenPoint.Crypto.Storage;

namespace HiddenPoint.Crypto.Tests.Storage;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "hpc-atomic-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void A_write_replaces_the_whole_file_and_leaves_nothing_else()
    {
        var path = Path.Combine(_folder, "nested", "state");
        AtomicFile.Write(path, "first, and longer"u8);
        AtomicFile.Write(path, "second"u8);

        Assert.Equal("second"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(["state"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Without_replace_an_existing_file_is_kept_and_the_write_fails()
    {
        var path = Path.Combine(_folder, "state");
        AtomicFile.Write(path, "kept"u8);

        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(path, "lost"u8, replace: false));
        Assert.Equal("kept"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void An_owner_only_write_makes_an_owner_only_file_and_folder()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = Path.Combine(_folder, "secret", "file");
        AtomicFile.Write(path, "s"u8, ownerOnly: true);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
    }
}
