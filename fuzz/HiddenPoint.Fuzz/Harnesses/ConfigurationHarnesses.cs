using System.Text;
using HiddenPoint.Client.Api.Daemon;
using HiddenPoint.Relay.Hosting;
using Microsoft.Extensions.Configuration;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// A configuration loader (FZ-14): the input as the program's JSON configuration file, bound to its options classes and
/// validated, as the program does at start. The declared failures are the JSON provider's
/// <see cref="FormatException"/> (not JSON, or a key twice) and the binder's <see cref="InvalidOperationException"/>
/// (a value that does not convert); a bad value that converts must come back as a problem naming its option.
/// </summary>
internal abstract class ConfigurationHarness : Harness
{
    public override void Run(ReadOnlySpan<byte> input)
    {
        IConfigurationRoot configuration;
        try
        {
            using var stream = new MemoryStream(input.ToArray());
            configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        }
        catch (FormatException)
        {
            return;
        }
        catch (InvalidDataException)
        {
            return;
        }

        try
        {
            _ = Validate(configuration);
        }
        catch (InvalidOperationException)
        {
            // A value that does not convert to its option's type: the loaders declare this.
        }
    }

    protected abstract IReadOnlyList<string> Validate(IConfiguration configuration);

    protected static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>The relay's options (hpc-relay's configuration file).</summary>
internal sealed class RelayConfigurationHarness : ConfigurationHarness
{
    public override string Name => "relay-config";

    public override string Description => "hpc-relay's JSON configuration: bound to its options and validated";

    protected override IReadOnlyList<string> Validate(IConfiguration configuration) => RelayHost.Validate(configuration);

    public override IEnumerable<byte[]> Seeds()
    {
        yield return Json("""
            {"Relay":{"Nickname":"Relay1","DataDirectory":"/var/lib/hpc-relay","Listen":"127.1.0.1:9001",
              "Authorities":[{"Nickname":"auth0","Address":"127.0.0.1:7000","Identity":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]},
             "Engine":{},"Limits":{},"HiddenPoints":{},"HsDir":{"MaxBytes":10000000,"SweepInterval":"00:05:00"}}
            """);
        yield return Json("{}");
        yield return Json("""{"Relay":{"Nickname":7,"Bandwidth":"x"}}""");
    }
}

/// <summary>The client's options (hpc-client's and the daemon's configuration file).</summary>
internal sealed class ClientConfigurationHarness : ConfigurationHarness
{
    public override string Name => "client-config";

    public override string Description => "hpc-client's JSON configuration: bound to the messenger's options and validated";

    protected override IReadOnlyList<string> Validate(IConfiguration configuration) => DaemonConfiguration.Validate(configuration);

    public override IEnumerable<byte[]> Seeds()
    {
        yield return Json("""
            {"Client":{"DataDirectory":"/tmp/hpc-fuzz-client","Directory":{"Authorities":[{"Address":"127.0.0.1:7000","Identity":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}},
             "Messaging":{},"Store":{"KdfMemoryKib":65536,"KdfPasses":3}}
            """);
        yield return Json("{}");
        yield return Json("""{"Client":{"DataDirectory":""}}""");
    }
}
