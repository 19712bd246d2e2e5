using HiddenPoint.Crypto.Storage;

namespace HiddenPoint.Crypto.Tests.Storage;

public sealed class UnixFilesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hpc-unixfiles-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Statx_reports_type_owner_permissions_and_identity_with_and_without_following_links()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(UnixFiles.IsSupported);
            return;
        }

        Assert.True(UnixFiles.IsSupported);
        var file = Path.Combine(_folder, "file");
        File.WriteAllBytes(file, [1, 2, 3]);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var link = Path.Combine(_folder, "link");
        File.CreateSymbolicLink(link, file);

        Assert.True(UnixFiles.TryStat(file, followLinks: false, out var status, out _));
        Assert.Equal((UnixFileType.Regular, UnixFiles.EffectiveUserId, UnixFileMode.UserRead | UnixFileMode.UserWrite), (status.Type, status.Owner, status.Permissions));
        Assert.True(UnixFiles.TryStat(link, followLinks: false, out var linkStatus, out _));
        Assert.Equal(UnixFileType.SymbolicLink, linkStatus.Type);
        Assert.True(UnixFiles.TryStat(link, followLinks: true, out var followed, out _));
        Assert.True(followed.IsSameFile(status));
        Assert.False(linkStatus.IsSameFile(status));

        using (var handle = File.OpenHandle(link))
        {
            Assert.True(UnixFiles.TryStat(handle, out var opened, out _));
            Assert.True(opened.IsSameFile(status));
        }

        Assert.True(UnixFiles.TryStat(_folder, followLinks: true, out var folder, out _));
        Assert.Equal(UnixFileType.Directory, folder.Type);
        Assert.False(UnixFiles.TryStat(Path.Combine(_folder, "absent"), followLinks: false, out _, out var errno));
        Assert.Equal(2, errno); // ENOENT
    }
}
