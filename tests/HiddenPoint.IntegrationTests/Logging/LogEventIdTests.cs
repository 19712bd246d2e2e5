using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace HiddenPoint.IntegrationTests.Logging;

/// <summary>
/// The registry of log event ids (docs/development.md, "Log event ids"): every <c>[LoggerMessage]</c> method of every
/// HiddenPoint assembly this project loads has an id no other method has, inside a range the registry gives its class.
/// </summary>
public sealed partial class LogEventIdTests
{
    [Fact]
    public void Every_log_event_id_is_unique_across_the_project_and_inside_its_class_s_registered_range()
    {
        var registry = ReadRegistry();
        var events = LogEvents().ToList();

        // Every assembly with logging is seen (a new one needs a reference from this project to be checked).
        var assemblies = events.Select(e => e.Method.DeclaringType!.Assembly.GetName().Name).Distinct().ToList();
        Assert.Contains("HiddenPoint.Network", assemblies);
        Assert.Contains("hpc-relay", assemblies);
        Assert.Contains("hpc-directory", assemblies);
        Assert.Contains(ClientCore.GetName().Name, assemblies);
        Assert.Contains("HiddenPoint.Client.Messaging", assemblies);
        Assert.Contains("HiddenPoint.Client.Api", assemblies);

        var duplicates = events.GroupBy(e => e.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => Name(e.Method)))}").ToList();
        Assert.True(duplicates.Count == 0, "event ids used twice: " + string.Join("; ", duplicates));

        var outside = events
            .Where(e => !registry.Any(r => r.Class == ClassName(e.Method.DeclaringType!) && e.Id >= r.First && e.Id <= r.Last))
            .Select(e => $"{Name(e.Method)} ({e.Id})").ToList();
        Assert.True(outside.Count == 0, "event ids outside their class's range in docs/development.md: " + string.Join("; ", outside));

        var overlapping = registry.SelectMany(a => registry.Where(b => a != b && a.First <= b.Last && b.First <= a.Last && a.First < b.First)
            .Select(b => $"{a.First}–{a.Last} and {b.First}–{b.Last}")).ToList();
        Assert.True(overlapping.Count == 0, "registry ranges overlap: " + string.Join("; ", overlapping));
    }

    /// <summary>The client core, named here so that the compiler keeps this project's reference to it (nothing else uses it yet).</summary>
    private static Assembly ClientCore => typeof(HiddenPoint.Client.Hosting.HostedHiddenPoint).Assembly;

    /// <summary>Every <c>[LoggerMessage]</c> method of the HiddenPoint assemblies this test project references.</summary>
    private static IEnumerable<(MethodInfo Method, int Id)> LogEvents()
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        foreach (var assembly in HiddenPointAssemblies())
        {
            foreach (var type in assembly.GetTypes())
            {
                foreach (var method in type.GetMethods(All))
                {
                    if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } attribute)
                    {
                        yield return (method, attribute.EventId);
                    }
                }
            }
        }
    }

    /// <summary>The assemblies reachable from this one whose types live in HiddenPoint namespaces, tests excluded.</summary>
    private static IEnumerable<Assembly> HiddenPointAssemblies()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>(typeof(LogEventIdTests).Assembly.GetReferencedAssemblies());
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name.Name!))
            {
                continue;
            }

            var isOurs = name.Name!.StartsWith("HiddenPoint.", StringComparison.Ordinal) || name.Name.StartsWith("hpc-", StringComparison.Ordinal);
            if (!isOurs || name.Name.EndsWith("Tests", StringComparison.Ordinal))
            {
                continue;
            }

            var assembly = Assembly.Load(name);
            yield return assembly;
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                pending.Push(reference);
            }
        }
    }

    /// <summary>The table's rows: <c>| first–last | `Class` | area |</c>.</summary>
    private static List<(int First, int Last, string Class)> ReadRegistry()
    {
        var rows = new List<(int, int, string)>();
        var inSection = false;
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot(), "docs", "development.md")))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                inSection = line == "## Log event ids";
                continue;
            }

            var row = Row().Match(line);
            if (inSection && row.Success)
            {
                rows.Add((int.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(row.Groups[2].Value, CultureInfo.InvariantCulture), row.Groups[3].Value));
            }
        }

        Assert.NotEmpty(rows);
        return rows;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "HiddenPoint.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("HiddenPoint.sln not found above " + AppContext.BaseDirectory);
    }

    private static string ClassName(Type type) => type.FullName!.Replace('+', '.');

    private static string Name(MethodInfo method) => ClassName(method.DeclaringType!) + "." + method.Name;

    [GeneratedRegex(@"^\| (\d+)[–-](\d+) \| `([^`]+)` \|")]
    private static partial Regex Row();
}
