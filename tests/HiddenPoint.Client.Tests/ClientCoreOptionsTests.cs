using HiddenPoint.Client.Directory;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Tests;

/// <summary>The composed options are checked as a whole, and each failure names its option with its section.</summary>
public sealed class ClientCoreOptionsTests
{
    [Fact]
    public void Every_part_is_validated_and_named()
    {
        var options = new ClientCoreOptions();
        options.Circuits.PoolSize = 99;
        options.Guards.Vanguards = 0;
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains("DataDirectory", error.Message, StringComparison.Ordinal);
        Assert.Contains("Directory:Authorities", error.Message, StringComparison.Ordinal);
        Assert.Contains("Circuits:PoolSize", error.Message, StringComparison.Ordinal);
        Assert.Contains("Guards:Vanguards", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_options_pass()
    {
        var options = new ClientCoreOptions
        {
            DataDirectory = "/tmp/hpc-client",
            Directory = new ClientDirectoryOptions
            {
                Authorities = [new ClientAuthorityOptions { Nickname = "a", Address = "127.0.0.1:7000", Identity = new string('A', 43) }],
            },
        };
        options.Validate();
    }
}
