using System.Reflection;

namespace HiddenPoint.Testnet;

/// <summary>The operators' programs the testnet runs, as built with it (see the project file's RecordNodePrograms).</summary>
internal static class NodePrograms
{
    /// <summary>The directory authority, <c>hpc-directory.dll</c>.</summary>
    public static string Directory => Find("hpc-directory");

    /// <summary>The relay, <c>hpc-relay.dll</c>.</summary>
    public static string Relay => Find("hpc-relay");

    /// <summary>The client, <c>hpc-client.dll</c>.</summary>
    public static string Client => Find("hpc-client");

    public static string For(NodeRole role) => role switch
    {
        NodeRole.Authority => Directory,
        NodeRole.Relay => Relay,
        _ => Client,
    };

    private static string Find(string name)
    {
        var path = typeof(NodePrograms).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "program:" + name)?.Value;
        if (path is null || !File.Exists(path))
        {
            throw new TestnetException($"{name} is not built ({path ?? "no path recorded"}); run `dotnet build testnet/HiddenPoint.Testnet -c Release`.");
        }

        return path;
    }
}
