using HiddenPoint.Client.Cli;
using HiddenPoint.Client.Cli.Configuration;
using HiddenPoint.Client.Cli.Errors;
using HiddenPoint.Client.Identity;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Client.Tests.Cli;

/// <summary>hpc-client's command line: usage errors, help, version, and the one mapping from typed failures to exit codes.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly HpcClient _client = new();

    public void Dispose() => _client.Dispose();

    public static TheoryData<string[]> BadCommandLines => new()
    {
        new[] { "frobnicate" },
        new[] { "send", "not-a-hidden-id.hpc", "hi" },
        new[] { "contacts", "add" },
        new[] { "history" },
        new[] { "relays", "--bogus" },
        new[] { "relays", "--timeout", "0" },
        new[] { "relays", "--timeout", "soon" },
        new[] { "id", "extra" },
        new[] { "init", "--authority", "nonsense" },
        new[] { "init", "--authority", "auth1,192.0.2.1,MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY" },
        new[] { "init", "--authority", "auth1,192.0.2.1:7000,tooshort" },
        new[] { "id", "--data-dir" },
    };

    [Theory]
    [MemberData(nameof(BadCommandLines))]
    public async Task A_bad_command_line_is_a_usage_error_with_exit_64_and_creates_nothing(string[] args)
    {
        var result = await _client.RunAsync(args, HpcClient.WithPassphrase("x"), dataDir: false);

        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.False(System.IO.Directory.Exists(_client.Folder.File("xdg")));
    }

    [Theory]
    [InlineData("init")]
    [InlineData("id")]
    [InlineData("relays")]
    [InlineData("check")]
    public async Task Every_verb_has_help_with_examples(string verb)
    {
        var result = await _client.RunAsync([verb, "--help"], dataDir: false);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Output, StringComparison.Ordinal);
        Assert.Contains("Examples:", result.Output, StringComparison.Ordinal);
        Assert.Contains("hpc-client " + verb, result.Output, StringComparison.Ordinal);
        Assert.Contains("--data-dir", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_program_help_lists_the_verbs_and_exit_codes_and_version_prints_the_version()
    {
        var help = await _client.RunAsync(["--help"], dataDir: false);
        Assert.True(help.ExitCode == 0, help.ToString());
        foreach (var verb in new[] { "init", "id", "relays", "check" })
        {
            Assert.Contains("  " + verb + " ", help.Output, StringComparison.Ordinal);
        }

        Assert.Contains("Exit codes:", help.Output, StringComparison.Ordinal);

        var version = await _client.RunAsync(["--version"], dataDir: false);
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("hpc-client ", version.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configuration_file_that_is_not_json_is_a_configuration_error_with_exit_78()
    {
        var file = _client.Folder.File("broken.json");
        await File.WriteAllTextAsync(file, "{ \"Client\": ");

        var result = await _client.RunAsync(["relays", "--config", file]);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("cannot read the configuration", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Client:Directory:RetryInitial=00:00:01", true)]
    [InlineData("--Logging:LogLevel:Default=Debug", true)]
    [InlineData("--data-dir=/tmp/x", false)]
    [InlineData("--config:/tmp/x=1", false)]
    [InlineData("--Client:=1", false)]
    [InlineData("--Client=1", false)]
    [InlineData("Client:A=1", false)]
    public void Settings_are_capitalised_section_colon_option_equals_value(string token, bool setting) =>
        Assert.Equal(setting, ClientCommandLine.IsSetting(token));

    [Theory]
    [InlineData("auth1,192.0.2.1:7000,MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", "auth1", "192.0.2.1:7000")]
    [InlineData("[2001:db8::1]:7000,MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", "", "[2001:db8::1]:7000")]
    public void An_authority_argument_is_nickname_address_identity(string text, string nickname, string address)
    {
        Assert.True(AuthorityArgument.TryParse(text, out var authority, out var problem), problem);
        Assert.Equal(nickname, authority.Nickname);
        Assert.Equal(address, authority.Address);
        Assert.Equal("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", authority.Identity);
    }

    [Fact]
    public void Every_typed_failure_maps_to_its_documented_exit_code()
    {
        Assert.Equal(77, Code(new StoreOpenException("p", StoreOpenFailure.WrongPassphrase, "x")));
        Assert.Equal(75, Code(new StoreOpenException("p", StoreOpenFailure.InUse, "x")));
        Assert.Equal(65, Code(new StoreOpenException("p", StoreOpenFailure.Corrupt, "x")));
        Assert.Equal(78, Code(new StoreOpenException("p", StoreOpenFailure.NotFound, "x")));
        Assert.Equal(78, Code(new StoreOpenException("p", StoreOpenFailure.PermissionsTooOpen, "x")));
        Assert.Equal(1, Code(new StoreOpenException("p", StoreOpenFailure.Inaccessible, "x")));
        Assert.Equal(73, Code(new IdentityFileException("p", KeyFileProblem.AlreadyExists)));
        Assert.Equal(78, Code(new IdentityFileException("p", KeyFileProblem.NotFound)));
        Assert.Equal(78, Code(new IdentityFileException("p", KeyFileProblem.PermissionsTooOpen)));
        Assert.Equal(78, Code(new PassphraseException(PassphraseProblem.FileNotPrivate, "x")));
        Assert.Equal(130, Code(new OperationCanceledException()));
        Assert.Equal(1, Code(new IOException("disk")));
        Assert.Null(CliErrors.Classify(new InvalidCastException()));
        foreach (var error in Enum.GetValues<CliError>())
        {
            Assert.Contains(CliErrors.ExitCode(error), new[] { 1, 64, 65, 69, 73, 75, 77, 78, 130 });
        }

        static int Code(Exception e) => CliErrors.ExitCode(CliErrors.Classify(e)!.Error);
    }
}
