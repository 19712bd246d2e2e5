using System.Text.Json;
using HiddenPoint.Client.Cli.Identity;
using HiddenPoint.Client.Identity;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Tests.Cli;

/// <summary>hpc-client init, id and check as processes: what they create, print and refuse, with their exit codes.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InitAndIdTests : IDisposable
{
    private readonly HpcClient _client = new();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Init_creates_an_owner_only_identity_and_store_and_prints_a_hidden_id_that_parses()
    {
        var printed = await _client.InitAsync();

        Assert.True(HiddenId.TryParse(printed, HiddenIdLabels.Hpc, out var hiddenId, out var error), $"{printed}: {error}");
        using (var identity = HiddenPointIdentityStore.Load(Path.Combine(_client.DataDirectory, HiddenPointIdentityStore.DefaultFileName)))
        {
            Assert.Equal(identity.IdentityPublicKey.ToHiddenId(), hiddenId);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_client.DataDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_client.DataDirectory, "identity.key")));

        // The store is there and opens with the passphrase given, and with no other.
        var options = new MessageStoreOptions { DatabasePath = Path.Combine(_client.DataDirectory, MessageStoreOptions.DefaultFileName) };
        using (var passphrase = Passphrase.FromText(HpcClient.Passphrase))
        using (var store = await MessageStore.OpenAsync(options, passphrase, TimeProvider.System, null, CancellationToken.None))
        {
            Assert.Equal(0, (await store.GetCountsAsync(CancellationToken.None)).Contacts);
        }

        using var wrong = Passphrase.FromText("not it");
        var refused = await Assert.ThrowsAsync<StoreOpenException>(() => MessageStore.OpenAsync(options, wrong, TimeProvider.System, null, CancellationToken.None));
        Assert.Equal(StoreOpenFailure.WrongPassphrase, refused.Failure);
    }

    [Fact]
    public async Task Init_takes_the_passphrase_from_a_private_file_and_saves_the_authorities_to_client_json()
    {
        var file = _client.Folder.File("passphrase");
        await File.WriteAllTextAsync(file, HpcClient.Passphrase + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        const string Identity = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY";
        var result = await _client.RunAsync(
            ["init", "--authority", "auth1,192.0.2.1:7000," + Identity, "--authority", "[2001:db8::1]:7000," + Identity.Replace('M', 'N')],
            new Dictionary<string, string?> { ["HPC_PASSPHRASE_FILE"] = file });
        Assert.True(result.ExitCode == 0, result.ToString());

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_client.DataDirectory, "client.json")));
        var authorities = json.RootElement.GetProperty("Client").GetProperty("Directory").GetProperty("Authorities");
        Assert.Equal(2, authorities.GetArrayLength());
        Assert.Equal("auth1", authorities[0].GetProperty("Nickname").GetString());
        Assert.Equal("192.0.2.1:7000", authorities[0].GetProperty("Address").GetString());
        Assert.Equal(Identity, authorities[0].GetProperty("Identity").GetString());
        Assert.Equal("[2001:db8::1]:7000", authorities[1].GetProperty("Address").GetString());

        // The store was made with the file's passphrase (its trailing line break dropped).
        var check = await _client.RunAsync(["check"], HpcClient.WithPassphrase(HpcClient.Passphrase));
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    [Fact]
    public async Task Init_twice_is_refused_with_exit_73_and_the_identity_is_kept()
    {
        var first = await _client.InitAsync();
        var identityFile = Path.Combine(_client.DataDirectory, "identity.key");
        var before = await File.ReadAllBytesAsync(identityFile);

        var second = await _client.RunAsync(["init"], HpcClient.WithPassphrase(HpcClient.Passphrase));

        Assert.Equal(73, second.ExitCode);
        Assert.Contains("already initialised", second.Error, StringComparison.Ordinal);
        Assert.Contains("never replaces", second.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(identityFile));
        var id = await _client.RunAsync(["id", "--no-qr"]);
        Assert.Contains(first, id.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_without_a_passphrase_source_or_terminal_is_a_configuration_error_and_creates_nothing()
    {
        var result = await _client.RunAsync(["init"]);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("HPC_PASSPHRASE_FILE", result.Error, StringComparison.Ordinal);
        Assert.False(System.IO.Directory.Exists(_client.DataDirectory));
    }

    [Fact]
    public async Task Id_prints_the_hidden_id_init_printed_with_its_fingerprint_and_a_qr_code_and_json_parses()
    {
        var printed = await _client.InitAsync();

        var text = await _client.RunAsync(["id"]);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("hidden-id    " + printed, text.Output, StringComparison.Ordinal);
        Assert.Contains('▀', text.Output);

        var json = await _client.RunAsync(["id", "--json"]);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(printed, document.RootElement.GetProperty("hiddenId").GetString());
        var fingerprint = document.RootElement.GetProperty("fingerprint").GetString()!;
        Assert.Matches("^([0-9A-F]{4} ){9}[0-9A-F]{4}$", fingerprint);
        Assert.True(HiddenId.TryParse(printed, HiddenIdLabels.Hpc, out var hiddenId, out _));
        Assert.Equal(IdentityFingerprint.Of(hiddenId!.IdentityKey), fingerprint);
        Assert.Contains("fingerprint  " + fingerprint, text.Output, StringComparison.Ordinal);

        var plain = await _client.RunAsync(["id", "--no-qr"]);
        Assert.DoesNotContain('▀', plain.Output);
    }

    [Fact]
    public async Task Id_before_init_says_to_run_init_with_exit_78()
    {
        var result = await _client.RunAsync(["id"]);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("hpc-client init", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_passphrase_is_refused_with_exit_77_and_the_right_one_opens_the_store()
    {
        await _client.InitAsync();

        var wrong = await _client.RunAsync(["check"], HpcClient.WithPassphrase("wrong"));
        Assert.Equal(77, wrong.ExitCode);
        Assert.Contains("passphrase does not open the message store", wrong.Error, StringComparison.Ordinal);

        var right = await _client.RunAsync(["check", "--json"], HpcClient.WithPassphrase(HpcClient.Passphrase));
        Assert.True(right.ExitCode == 0, right.ToString());
        using var document = JsonDocument.Parse(right.Output);
        Assert.True(document.RootElement.GetProperty("intact").GetBoolean());
        Assert.Equal(0, document.RootElement.GetProperty("contacts").GetInt64());
    }

    [Fact]
    public async Task The_data_directory_comes_from_HPC_DATA_DIR_and_else_from_XDG_DATA_HOME()
    {
        var fromVariable = _client.Folder.File("from-variable");
        var init = await _client.RunAsync(["init"], new Dictionary<string, string?> { ["HPC_DATA_DIR"] = fromVariable, ["HPC_PASSPHRASE"] = "x" }, dataDir: false);
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.True(File.Exists(Path.Combine(fromVariable, "identity.key")));

        var xdg = await _client.RunAsync(["init"], HpcClient.WithPassphrase("x"), dataDir: false);
        Assert.True(xdg.ExitCode == 0, xdg.ToString());
        Assert.True(File.Exists(Path.Combine(_client.Folder.File("xdg"), "hiddenpoint", "identity.key")));
    }
}
