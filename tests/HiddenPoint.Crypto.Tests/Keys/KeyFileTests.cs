using System.Text;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Tests.Keys;

public sealed class KeyFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "hpc-keyfile-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void Every_role_round_trips_through_a_key_file()
    {
        RoundTrip<RelayIdentityKey>();
        RoundTrip<AuthorityIdentityKey>();
        RoundTrip<HiddenPointIdentityKey>();
        RoundTrip<LinkKey>();
        RoundTrip<CircuitHandshakeKey>();
        RoundTrip<HsIntroEncryptionKey>();
    }

    [Fact]
    public void A_written_key_file_is_owner_only_and_leaves_no_temporary_file()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = Path.Combine(_folder, "identity.key");
        using var key = RelayIdentityKey.Generate();
        KeyFile.Write(key, path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["identity.key"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void An_existing_key_is_not_replaced_unless_asked()
    {
        var path = Path.Combine(_folder, "identity.key");
        using var first = RelayIdentityKey.Generate();
        using var second = RelayIdentityKey.Generate();
        KeyFile.Write(first, path);

        var refused = Assert.Throws<KeyFileException>(() => KeyFile.Write(second, path));
        Assert.Equal(KeyFileProblem.AlreadyExists, refused.Problem);
        using (var kept = KeyFile.Read<RelayIdentityKey>(path))
        {
            Assert.Equal(first.Id, kept.Id);
        }

        KeyFile.Write(second, path, replace: true);
        using var replaced = KeyFile.Read<RelayIdentityKey>(path);
        Assert.Equal(second.Id, replaced.Id);
    }

    [Theory]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.OtherWrite)]
    public void A_key_file_others_can_touch_is_refused_with_its_name(UnixFileMode extra)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = Path.Combine(_folder, "identity.key");
        using var key = RelayIdentityKey.Generate();
        KeyFile.Write(key, path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);

        var refused = Assert.Throws<KeyFileException>(() => KeyFile.Read<RelayIdentityKey>(path));
        Assert.Equal(KeyFileProblem.PermissionsTooOpen, refused.Problem);
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_key_file_names_the_file()
    {
        var path = Path.Combine(_folder, "absent.key");
        var refused = Assert.Throws<KeyFileException>(() => KeyFile.Read<LinkKey>(path));
        Assert.Equal(KeyFileProblem.NotFound, refused.Problem);
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_key_file_is_refused()
    {
        using var key = LinkKey.Generate();
        var file = KeyFileFormat.Encode(key);
        for (var length = 0; length < file.Length; length++)
        {
            Assert.False(KeyFileFormat.TryDecode<LinkKey>(file.AsSpan(0, length), out var decoded, out var error, out _));
            Assert.Null(decoded);
            Assert.NotEqual(KeyFileError.TrailingData, error);
        }
    }

    [Fact]
    public void A_truncated_file_on_disk_is_refused_as_invalid()
    {
        var path = Path.Combine(_folder, "link.key");
        using var key = LinkKey.Generate();
        KeyFile.Write(key, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);

        var refused = Assert.Throws<KeyFileException>(() => KeyFile.Read<LinkKey>(path));
        Assert.Equal(KeyFileProblem.Invalid, refused.Problem);
        Assert.Equal(KeyFileError.Truncated, refused.FormatError);
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_changed_byte_in_a_key_is_refused()
    {
        using var key = CircuitHandshakeKey.Generate();
        var file = KeyFileFormat.Encode(key);
        var text = Encoding.ASCII.GetString(file);
        var secretStart = text.IndexOf("secret ", StringComparison.Ordinal) + "secret ".Length;
        var publicEnd = text.Length - 1;
        for (var i = secretStart; i < publicEnd; i++)
        {
            if (text[i] is '\n' or 'p' && text.AsSpan(i).StartsWith("public "))
            {
                i += "public ".Length - 1;
                continue;
            }

            if (text[i] is '\n' or '=')
            {
                continue;
            }

            var corrupt = (byte[])file.Clone();
            corrupt[i] = (byte)(corrupt[i] == (byte)'A' ? 'B' : 'A');
            Assert.False(KeyFileFormat.TryDecode<CircuitHandshakeKey>(corrupt, out _, out var error, out _));
            Assert.True(error is KeyFileError.PublicKeyMismatch or KeyFileError.BadKeyEncoding, $"byte {i}: {error}");
        }
    }

    [Theory]
    [InlineData("hpc-key-file 2\n", KeyFileError.UnsupportedVersion)]
    [InlineData("ssh-ed25519 AAAA\n", KeyFileError.NotAKeyFile)]
    [InlineData("hpc-key-file 1\nrole link\n", KeyFileError.WrongRole)]
    [InlineData("hpc-key-file 1\nrole nonsense\n", KeyFileError.WrongRole)]
    [InlineData("hpc-key-file 1\nrole relay-identity\nalgorithm x25519\n", KeyFileError.WrongAlgorithm)]
    [InlineData("hpc-key-file 1\nrole relay-identity\nalgo ed25519\n", KeyFileError.Malformed)]
    [InlineData("hpc-key-file 1\nrole relay-identity\nalgorithm ed25519\nsecret !!!!\n", KeyFileError.BadKeyEncoding)]
    [InlineData("hpc-key-file 1\nrole relay-identity\nalgorithm ed25519\nsecret AAAA\n", KeyFileError.BadKeyEncoding)]
    [InlineData("hpc-key-file 1\r\nrole relay-identity\n", KeyFileError.NotAKeyFile)]
    public void Each_malformed_header_gets_its_own_error(string file, KeyFileError expected)
    {
        Assert.False(KeyFileFormat.TryDecode<RelayIdentityKey>(Encoding.ASCII.GetBytes(file), out _, out var error, out var detail));
        Assert.Equal(expected, error);
        Assert.False(string.IsNullOrEmpty(detail));
    }

    [Fact]
    public void Trailing_bytes_and_oversized_files_are_refused()
    {
        using var key = AuthorityIdentityKey.Generate();
        var file = KeyFileFormat.Encode(key);

        Assert.False(KeyFileFormat.TryDecode<AuthorityIdentityKey>([.. file, (byte)'x'], out _, out var trailing, out _));
        Assert.Equal(KeyFileError.TrailingData, trailing);

        var huge = new byte[KeyFileFormat.MaxLength + 1];
        file.CopyTo(huge, 0);
        Assert.False(KeyFileFormat.TryDecode<AuthorityIdentityKey>(huge, out _, out var tooLarge, out _));
        Assert.Equal(KeyFileError.TooLarge, tooLarge);
    }

    [Fact]
    public void A_key_file_of_one_role_does_not_load_as_another()
    {
        var path = Path.Combine(_folder, "identity.key");
        using var key = RelayIdentityKey.Generate();
        KeyFile.Write(key, path);

        var refused = Assert.Throws<KeyFileException>(() => KeyFile.Read<AuthorityIdentityKey>(path));
        Assert.Equal(KeyFileError.WrongRole, refused.FormatError);
        Assert.Contains("relay-identity", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symbolic_link_at_the_key_path_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var target = Path.Combine(_folder, "real.key");
        var link = Path.Combine(_folder, "identity.key");
        using var key = RelayIdentityKey.Generate();
        KeyFile.Write(key, target);
        File.CreateSymbolicLink(link, target);

        var refused = Assert.Throws<KeyFileException>(() => KeyFile.Read<RelayIdentityKey>(link));
        Assert.Equal(KeyFileProblem.SymbolicLink, refused.Problem);
        Assert.Contains(link, refused.Message, StringComparison.Ordinal);
        Assert.Contains(target, refused.Message, StringComparison.Ordinal);
        using var direct = KeyFile.Read<RelayIdentityKey>(target);
        Assert.Equal(key.Id, direct.Id);
    }

    [Fact]
    public async Task A_named_pipe_at_the_key_path_is_refused_without_blocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Directory.CreateDirectory(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var fifo = Path.Combine(_folder, "identity.key");
        Run("mkfifo", "-m", "600", fifo);

        // Opening a FIFO for reading blocks until a writer comes: the read must refuse it without opening it.
        var read = Task.Run(() => KeyFile.Read<RelayIdentityKey>(fifo));
        try
        {
            var refused = await Assert.ThrowsAsync<KeyFileException>(() => read.WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal(KeyFileProblem.NotARegularFile, refused.Problem);
            Assert.Contains("named pipe", refused.Message, StringComparison.Ordinal);
            Assert.Contains(fifo, refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (!read.IsCompleted)
            {
                // Unblock a reader stuck in open(2), so that the test process can end.
                using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            }
        }
    }

    [Fact]
    public void A_directory_at_the_key_path_is_refused()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = Path.Combine(_folder, "identity.key");
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var refused = Assert.Throws<KeyFileException>(() => KeyFile.Read<RelayIdentityKey>(path));
        Assert.Equal(KeyFileProblem.NotARegularFile, refused.Problem);
        Assert.Contains("directory", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_owned_by_another_user_is_refused_with_the_chown_fix()
    {
        // Only root can give a file away; elsewhere there is nothing to test.
        if (!HiddenPoint.Crypto.Storage.UnixFiles.IsSupported || HiddenPoint.Crypto.Storage.UnixFiles.EffectiveUserId != 0)
        {
            return;
        }

        var path = Path.Combine(_folder, "identity.key");
        using var key = RelayIdentityKey.Generate();
        KeyFile.Write(key, path);
        Run("chown", "12345", path);

        var refused = Assert.Throws<KeyFileException>(() => KeyFile.Read<RelayIdentityKey>(path));
        Assert.Equal(KeyFileProblem.WrongOwner, refused.Problem);
        Assert.Contains("user 12345", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"chown 0 '{path}'", refused.Message, StringComparison.Ordinal);

        // A folder of another user (not root) is refused too: that user could replace the key.
        Run("chown", "0", path);
        Run("chown", "12345", _folder);
        var folder = Assert.Throws<KeyFileException>(() => KeyFile.Read<RelayIdentityKey>(path));
        Assert.Equal(KeyFileProblem.FolderTooOpen, folder.Problem);
        Assert.Contains("belongs to user 12345", folder.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UnixFileMode.GroupWrite)]
    [InlineData(UnixFileMode.OtherWrite)]
    public void A_folder_others_can_write_is_refused_with_the_chmod_fix(UnixFileMode extra)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = Path.Combine(_folder, "identity.key");
        using var key = RelayIdentityKey.Generate();
        KeyFile.Write(key, path);
        const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        File.SetUnixFileMode(_folder, Owner | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute | extra);

        var refused = Assert.Throws<KeyFileException>(() => KeyFile.Read<RelayIdentityKey>(path));
        Assert.Equal(KeyFileProblem.FolderTooOpen, refused.Problem);
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 700 '{_folder}'", refused.Message, StringComparison.Ordinal);

        // Nor is a key written there.
        using var other = LinkKey.Generate();
        var write = Assert.Throws<KeyFileException>(() => KeyFile.Write(other, Path.Combine(_folder, "link.key")));
        Assert.Equal(KeyFileProblem.FolderTooOpen, write.Problem);
        Assert.False(File.Exists(Path.Combine(_folder, "link.key")));

        File.SetUnixFileMode(_folder, Owner);
        using var loaded = KeyFile.Read<RelayIdentityKey>(path);
        Assert.Equal(key.Id, loaded.Id);
    }

    [Fact]
    public void Encoding_a_key_file_makes_no_string_and_allocates_nothing()
    {
        // The secret's base64 is written straight into the caller's buffer: with nothing allocated, no .NET string (which
        // could not be wiped) ever held it. An X25519 key exports its seed without allocating; an Ed25519 key's export
        // goes through an array of NSec's, which is wiped at once.
        using var key = LinkKey.Generate();
        Span<byte> file = stackalloc byte[KeyFileFormat.MaxLength];
        KeyFileFormat.Encode(key, file);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var length = KeyFileFormat.Encode(key, file);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(KeyFileFormat.Encode(key), file[..length].ToArray());
        Assert.Throws<ArgumentException>(() => KeyFileFormat.Encode(key, new byte[KeyFileFormat.MaxLength - 1]));
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(program, arguments);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), program + " did not finish");
        Assert.Equal(0, process.ExitCode);
    }

    private void RoundTrip<TKey>()
        where TKey : SecretKey, ISecretKeyRole<TKey>
    {
        var path = Path.Combine(_folder, TKey.KeyRole.FileName() + ".key");
        using var key = TKey.Generate();
        KeyFile.Write(key, path);
        using var loaded = KeyFile.Read<TKey>(path);

        Assert.Equal(TKey.KeyRole, loaded.Role);
        Assert.Equal(key.PublicKeyBytes.ToArray(), loaded.PublicKeyBytes.ToArray());
    }
}
