using System.Text.Json;
using System.Text.Json.Serialization;

namespace HiddenPoint.Testnet;

/// <summary>One started node as the state file records it: enough to find, check and stop its process later.</summary>
internal sealed class NodeRecord
{
    public required string Name { get; init; }

    public required NodeRole Role { get; init; }

    public required string Address { get; init; }

    public required int Port { get; init; }

    /// <summary>The identity keygen printed (43-character base64).</summary>
    public required string Identity { get; init; }

    /// <summary>The node's configuration file; its path is on the process's command line, which tells our process
    /// from an unrelated one that was given the same id after ours ended.</summary>
    public required string ConfigFile { get; init; }

    public required string LogFile { get; init; }

    /// <summary>The process id, 0 before the node is started.</summary>
    public int ProcessId { get; set; }

    [JsonIgnore]
    public string Endpoint => Role == NodeRole.User ? "(hidden point)" : Address + ":" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// <c>STATE/testnet.json</c>: the nodes of the testnet and their process ids. It is rewritten (to a temporary file,
/// then renamed) as soon as a process starts, so that <c>stop</c> finds every process even after a failed run.
/// </summary>
internal sealed class TestnetState
{
    public const string FileName = "testnet.json";

    public DateTimeOffset StartedAt { get; set; }

    public int VotingIntervalSeconds { get; set; }

    /// <summary>Seconds from the start of the run to the first consensus listing every relay; null until then.</summary>
    public double? BootstrapSeconds { get; set; }

    /// <summary>Seconds from the start of the run to the first message delivered between users; null until then.</summary>
    public double? FirstDeliveredSeconds { get; set; }

    public List<NodeRecord> Nodes { get; init; } = [];

    [JsonIgnore]
    public IEnumerable<NodeRecord> Authorities => Nodes.Where(n => n.Role == NodeRole.Authority);

    [JsonIgnore]
    public IEnumerable<NodeRecord> Relays => Nodes.Where(n => n.Role == NodeRole.Relay);

    [JsonIgnore]
    public IEnumerable<NodeRecord> Users => Nodes.Where(n => n.Role == NodeRole.User);

    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, FileName);

    /// <summary>The state in <paramref name="stateDirectory"/>, or null when no testnet was started there.</summary>
    public static TestnetState? Load(string stateDirectory)
    {
        var path = PathIn(stateDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), TestnetStateJson.Default.TestnetState);
        }
        catch (JsonException e)
        {
            throw new TestnetException($"{path} is not a testnet state file ({e.Message}); `run.sh clean` removes it.", e);
        }
    }

    public void Save(string stateDirectory)
    {
        var path = PathIn(stateDirectory);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(this, TestnetStateJson.Default.TestnetState));
        File.Move(temporary, path, overwrite: true);
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(TestnetState))]
internal sealed partial class TestnetStateJson : JsonSerializerContext
{
}
