using System.Text;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Testing;

namespace HiddenPoint.Client.Tests.Storage;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PassphraseSourceTests : IDisposable
{
    private readonly PrivateTempFolder _folder = new("hpc-passphrase-tests-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Environment_variable_gives_its_value()
    {
        var variable = "HPC_TEST_PASSPHRASE_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "from the environment");
        try
        {
            using var passphrase = await new EnvironmentPassphraseSource(variable).ReadAsync(CancellationToken.None);
            Assert.Equal("from the environment"u8.ToArray(), passphrase.Bytes.ToArray());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Unset_environment_variable_is_a_typed_error()
    {
        var source = new EnvironmentPassphraseSource("HPC_TEST_UNSET_" + Guid.NewGuid().ToString("N"));
        var error = await Assert.ThrowsAsync<PassphraseException>(() => source.ReadAsync(CancellationToken.None).AsTask());
        Assert.Equal(PassphraseProblem.NotSet, error.Problem);
    }

    [Theory]
    [InlineData("secret words\n")]
    [InlineData("secret words\r\n")]
    [InlineData("secret words")]
    public async Task Owner_only_file_gives_its_contents_without_one_line_break(string contents)
    {
        var path = Write(contents, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var passphrase = await new FilePassphraseSource(path).ReadAsync(CancellationToken.None);
        Assert.Equal("secret words"u8.ToArray(), passphrase.Bytes.ToArray());
    }

    [Fact]
    public async Task File_others_can_read_is_refused()
    {
        var path = Write("secret", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var error = await Assert.ThrowsAsync<PassphraseException>(() => new FilePassphraseSource(path).ReadAsync(CancellationToken.None).AsTask());
        Assert.Equal(PassphraseProblem.FileNotPrivate, error.Problem);
    }

    [Fact]
    public async Task Empty_or_missing_file_is_refused()
    {
        var empty = Write("\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(PassphraseProblem.Empty, (await Assert.ThrowsAsync<PassphraseException>(() => new FilePassphraseSource(empty).ReadAsync(CancellationToken.None).AsTask())).Problem);
        Assert.Equal(PassphraseProblem.NotSet, (await Assert.ThrowsAsync<PassphraseException>(() => new FilePassphraseSource(_folder.File("none")).ReadAsync(CancellationToken.None).AsTask())).Problem);
    }

    [Fact]
    public void Disposed_passphrase_is_wiped_and_unreadable()
    {
        var passphrase = Passphrase.FromText("wipe me");
        passphrase.Dispose();
        Assert.Throws<ObjectDisposedException>(() => passphrase.Bytes.Length);
    }

    private string Write(string contents, UnixFileMode mode)
    {
        var path = _folder.File(Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(contents));
        File.SetUnixFileMode(path, mode);
        return path;
    }
}
