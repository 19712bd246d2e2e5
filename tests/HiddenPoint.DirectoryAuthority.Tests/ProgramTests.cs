using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Hosting;

namespace HiddenPoint.DirectoryAuthority.Tests;

public sealed class ProgramTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hpc-directory-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Keygen_writes_an_authority_key_once()
    {
        Assert.Equal(0, await Program.Main(["keygen", "--data-dir", _root]).ConfigureAwait(true));
        var path = Path.Combine(_root, AuthorityState.KeyFileName);
        using var key = KeyFile.Read<AuthorityIdentityKey>(path);
        var before = File.ReadAllBytes(path);
        Assert.Equal(1, await Program.Main(["keygen", "--data-dir", _root]).ConfigureAwait(true));
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task Commands_and_options_are_checked_before_anything_runs()
    {
        Assert.Equal(0, await Program.Main(["--help"]).ConfigureAwait(true));
        Assert.Equal(64, await Program.Main([]).ConfigureAwait(true));
        Assert.Equal(64, await Program.Main(["frobnicate"]).ConfigureAwait(true));
        Assert.Equal(64, await Program.Main(["keygen"]).ConfigureAwait(true));
        Assert.Equal(2, await Program.Main(["run", "--Nickname", "auth1", "--Listen", "nope"]).ConfigureAwait(true));
        Assert.Equal(2, await Program.Main(["run", "--config", Path.Combine(_root, "missing.json")]).ConfigureAwait(true));
        // Valid options but no key: refused with a pointer to keygen.
        Assert.Equal(1, await Program.Main(["run", "--DataDirectory", _root, "--Nickname", "auth1", "--Listen", "127.0.0.1:1"]).ConfigureAwait(true));
    }
}
