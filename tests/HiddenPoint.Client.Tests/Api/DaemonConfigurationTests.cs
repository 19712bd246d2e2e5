using HiddenPoint.Client.Api.Daemon;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Testing;

namespace HiddenPoint.Client.Tests.Api;

/// <summary>The daemon's configuration: the file, the section layout docs/client-api.md gives, validation, and the store's errors as exit codes.</summary>
public sealed class DaemonConfigurationTests : IDisposable
{
    private readonly PrivateTempFolder _folder = new();

    [Fact]
    public void The_client_core_options_sit_in_the_client_section_itself_and_the_data_directory_flag_wins()
    {
        var file = _folder.File("client.json");
        File.WriteAllText(file, """
            { "Client": { "DataDirectory": "/elsewhere", "CreateIfMissing": true,
                          "Directory": { "Authorities": [ { "Nickname": "auth1", "Address": "127.0.0.1:7000", "Identity": "x" } ] },
                          "Messaging": { "WindowSize": 8 }, "Store": { "KdfPasses": 1 } } }
            """);

        var options = DaemonConfiguration.MessengerOptionsFrom(DaemonConfiguration.Read(file, _folder.Path));

        Assert.Equal(_folder.Path, options.DataDirectory);
        Assert.Equal(_folder.Path, options.Core.DataDirectory);
        Assert.True(options.CreateIfMissing);
        Assert.Equal("127.0.0.1:7000", Assert.Single(options.Core.Directory.Authorities).Address);
        Assert.Equal(8, options.Messaging.WindowSize);
        Assert.Equal(1, options.Store.KdfPasses);
    }

    [Fact]
    public void The_top_level_sections_of_the_other_commands_apply_over_the_nested_ones()
    {
        var file = _folder.File("client.json");
        File.WriteAllText(file, """
            { "Client": { "Store": { "KdfPasses": 2 }, "Messaging": { "WindowSize": 8 } },
              "Store": { "KdfPasses": 1, "KdfMemoryKib": 8 }, "Messaging": { "WindowSize": 16 },
              "Messenger": { "StreamTimeout": "00:00:05" } }
            """);

        var options = DaemonConfiguration.MessengerOptionsFrom(DaemonConfiguration.Read(file, _folder.Path));

        Assert.Equal((1, 8), (options.Store.KdfPasses, options.Store.KdfMemoryKib));
        Assert.Equal(16, options.Messaging.WindowSize);
        Assert.Equal(TimeSpan.FromSeconds(5), options.StreamTimeout);
    }

    [Fact]
    public void Every_problem_is_reported_with_its_option_before_anything_starts()
    {
        var file = _folder.File("client.json");
        File.WriteAllText(file, """{ "Client": { "Store": { "KdfPasses": 99 } }, "Api": { "MaxConnections": 0 } }""");

        var problems = DaemonConfiguration.Validate(DaemonConfiguration.Read(file, _folder.Path));

        Assert.Contains(problems, p => p.Contains("Authorities", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("KdfPasses", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Api:MaxConnections", StringComparison.Ordinal));
    }

    [Fact]
    public void A_data_directory_with_a_nul_character_is_refused_as_a_bad_value_not_thrown_as_an_argument_error()
    {
        // Found by the client-config fuzz harness: Path.GetFullPath threw ArgumentException out of the loader, which the
        // daemon does not catch (it reports FormatException, InvalidDataException, InvalidOperationException, IOException).
        var file = _folder.File("client.json");
        File.WriteAllText(file, """{ "Client": { "DataDirectory": "a\u0000b" } }""");
        var configuration = DaemonConfiguration.Read(file, dataDirectory: null);

        var error = Assert.Throws<InvalidOperationException>(() => DaemonConfiguration.Validate(configuration));
        Assert.Contains("Client:DataDirectory", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StoreOpenFailure.InUse, DaemonProgram.ExitInUse)]
    [InlineData(StoreOpenFailure.WrongPassphrase, DaemonProgram.ExitNoPermission)]
    [InlineData(StoreOpenFailure.Corrupt, DaemonProgram.ExitDataError)]
    [InlineData(StoreOpenFailure.NewerSchema, DaemonProgram.ExitDataError)]
    [InlineData(StoreOpenFailure.PermissionsTooOpen, DaemonProgram.ExitNoPermission)]
    [InlineData(StoreOpenFailure.NotFound, DaemonProgram.ExitConfig)]
    public void Each_store_failure_has_its_documented_exit_code(StoreOpenFailure failure, int exitCode)
    {
        var (code, message) = DaemonProgram.StoreProblem(new StoreOpenException(_folder.File("messages.db"), failure, "detail"), _folder.Path);
        Assert.Equal(exitCode, code);
        Assert.NotEmpty(message);
        if (failure == StoreOpenFailure.InUse)
        {
            Assert.StartsWith($"another hpc-client daemon is running on {_folder.Path}", message, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _folder.Dispose();
}
