using System.Text;
using HiddenPoint.Client.Api.Daemon;
using HiddenPoint.DirectoryAuthority.Hosting;
using HiddenPoint.Relay.Hosting;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// A configuration loader (FZ-14): the input written as the program's <c>--config</c> JSON file and read by the
/// program's own loader, then bound to its options classes and validated, as the program does at start. The loaders
/// declare <see cref="InvalidDataException"/> (the JSON provider's report of a file that is not JSON),
/// <see cref="FormatException"/> (a key twice), <see cref="IOException"/> and the binder's
/// <see cref="InvalidOperationException"/> (a value that does not convert), and each program catches exactly these;
/// a bad value that converts must come back as a problem naming its option.
/// </summary>
internal abstract class ConfigurationHarness : Harness
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"hpc-fuzz-{Environment.ProcessId}-{Guid.NewGuid():N}.json");

    public override void Run(ReadOnlySpan<byte> input)
    {
        File.WriteAllBytes(_file, input.ToArray());
        try
        {
            _ = ReadAndValidate(_file);
        }
        catch (FormatException)
        {
            // Declared by the loaders: malformed JSON or a key twice.
        }
        catch (InvalidDataException)
        {
            // Declared by the loaders: the JSON provider's report of a file that is not JSON.
        }
        catch (IOException)
        {
            // Declared by the loaders: the file cannot be read.
        }
        catch (InvalidOperationException)
        {
            // Declared by the binder: a value that does not convert to its option's type.
        }
        finally
        {
            File.Delete(_file);
        }
    }

    /// <summary>Reads <paramref name="file"/> with the program's loader and returns its option problems.</summary>
    protected abstract IReadOnlyList<string> ReadAndValidate(string file);

    protected static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>The relay's options (hpc-relay's configuration file).</summary>
internal sealed class RelayConfigurationHarness : ConfigurationHarness
{
    public override string Name => "relay-config";

    public override string Description => "hpc-relay's JSON configuration: bound to its options and validated";

    protected override IReadOnlyList<string> ReadAndValidate(string file) => RelayHost.Validate(RelayHost.ReadConfiguration(file, []));

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

    protected override IReadOnlyList<string> ReadAndValidate(string file) => DaemonConfiguration.Validate(DaemonConfiguration.Read(file, dataDirectory: null));

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

/// <summary>The directory authority's options (hpc-directory's configuration file).</summary>
internal sealed class DirectoryConfigurationHarness : ConfigurationHarness
{
    public override string Name => "directory-config";

    public override string Description => "hpc-directory's JSON configuration: bound to its options and validated";

    protected override IReadOnlyList<string> ReadAndValidate(string file) => DirectoryHost.Validate(DirectoryHost.ReadOptions(file, []));

    public override IEnumerable<byte[]> Seeds()
    {
        yield return Json("""
            {"Nickname":"auth0","Listen":"127.0.0.1:7000","DataDirectory":"/tmp/hpc-fuzz-directory","VotingInterval":"00:00:10",
             "Authorities":[{"Nickname":"auth1","Address":"127.0.0.2:7000","Identity":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}],
             "Parameters":{"CircuitWindow":500}}
            """);
        yield return Json("{}");
        yield return Json("""{"VotingInterval":"soon"}""");
    }
}
