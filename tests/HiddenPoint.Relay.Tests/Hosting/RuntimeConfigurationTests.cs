using System.Text.Json;

namespace HiddenPoint.Relay.Tests.Hosting;

/// <summary>
/// The runtime settings that keep the relay's resident memory in its budget (docs/relay.md, "Memory") are in the
/// built program's runtimeconfig.json, where the runtime reads them, and not only in the project file.
/// </summary>
public sealed class RuntimeConfigurationTests
{
    [Fact]
    public void Built_relay_runs_without_tiered_pgo_and_without_the_emitting_service_resolver()
    {
        var program = ChildProgram.Locate("hpc-relay");
        var file = Path.ChangeExtension(program, ".runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
        Assert.True(properties.GetProperty("Microsoft.Extensions.DependencyInjection.DisableDynamicEngine").GetBoolean());
    }
}
