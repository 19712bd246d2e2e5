using System.Collections;
using System.Globalization;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.Diagnostics;
using HiddenPoint.Relay.HiddenPoints;
using HiddenPoint.Relay.Hosting;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Configuration;

namespace HiddenPoint.Relay.Tests.Hosting;

/// <summary>
/// Golden configuration cases (TEST-MATRIX FZ-14, after Tor's conf_examples): each ConfigExamples/NN-name.case is a
/// relay configuration file read the way <c>hpc-relay run --config FILE</c> reads it, and the outcome it must have.
/// A case is a <c>#</c> line saying what it shows, the JSON, then one of
/// <c>==== ok</c> followed by <c>Section:Option=value</c> lines of the effective options (index steps for lists),
/// <c>==== error</c> followed by text each of which some reported problem must contain (and no problem is allowed
/// with <c>ok</c>), <c>==== unconvertible</c> followed by the option the conversion error must name, or
/// <c>==== malformed</c> for a file that is not a JSON object.
/// </summary>
public sealed class ConfigExampleTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Hosting", "ConfigExamples");

    public static TheoryData<string> Cases() => new(CaseNames());

    private static IEnumerable<string> CaseNames() =>
        Directory.EnumerateFiles(Folder, "*.case").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    [Fact]
    public void There_are_at_least_fifty_cases_of_every_outcome()
    {
        var outcomes = CaseNames().Select(c => Read(c).Outcome).ToList();
        Assert.True(outcomes.Count >= 50, $"{outcomes.Count} cases");
        Assert.All(new[] { "ok", "error", "unconvertible", "malformed" }, o => Assert.Contains(o, outcomes));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_relay_reads_each_configuration_case_as_its_golden_outcome_says(string name)
    {
        var example = Read(name);
        using var folder = new PrivateTempFolder("hpc-config-");
        var file = Path.Combine(folder.Path, "relay.json");
        File.WriteAllText(file, example.Json);

        IConfiguration configuration;
        try
        {
            configuration = RelayHost.ReadConfiguration(file, []);
        }
        catch (FormatException) when (example.Outcome == "malformed")
        {
            return;
        }
        catch (InvalidDataException) when (example.Outcome == "malformed")
        {
            return;
        }

        Assert.NotEqual("malformed", example.Outcome);
        IReadOnlyList<string> problems;
        try
        {
            problems = RelayHost.Validate(configuration);
        }
        catch (InvalidOperationException ex) when (example.Outcome == "unconvertible")
        {
            Assert.All(example.Lines, option => Assert.Contains(option, ex.Message + ex.InnerException?.Message, StringComparison.Ordinal));
            return;
        }

        switch (example.Outcome)
        {
            case "ok":
                Assert.True(problems.Count == 0, string.Join('\n', problems));
                foreach (var line in example.Lines)
                {
                    var (path, expected) = (line[..line.IndexOf('=', StringComparison.Ordinal)], line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                    Assert.True(expected == EffectiveValue(configuration, path), $"{path}: expected {expected}, got {EffectiveValue(configuration, path)}");
                }

                break;
            case "error":
                Assert.NotEmpty(problems);
                Assert.All(example.Lines, text => Assert.True(problems.Any(p => p.Contains(text, StringComparison.Ordinal)), $"no problem says '{text}': {string.Join(" | ", problems)}"));
                break;
            default:
                Assert.Fail($"{name}: expected {example.Outcome}, but the configuration was read and validated ({problems.Count} problems)");
                break;
        }
    }

    private static (string Json, string Outcome, IReadOnlyList<string> Lines) Read(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(Folder, name));
        var marker = Array.FindIndex(lines, l => l.StartsWith("==== ", StringComparison.Ordinal));
        Assert.True(marker > 0, $"{name} has no ==== line");
        var json = string.Join('\n', lines[..marker].Where(l => !l.StartsWith('#')));
        var expected = lines[(marker + 1)..].Where(l => l.Length > 0).ToList();
        return (json, lines[marker]["==== ".Length..].Trim(), expected);
    }

    // The value the relay would run with, as the options classes bind it: Section:Property[:Index|:Property]...
    private static string EffectiveValue(IConfiguration configuration, string path)
    {
        var steps = path.Split(':');
        object? value = steps[0] switch
        {
            RelayOptions.Section => RelayHost.RelayOptionsFrom(configuration),
            "Engine" => configuration.GetSection("Engine").Get<RelayEngineOptions>() ?? new RelayEngineOptions(),
            "Limits" => configuration.GetSection("Limits").Get<RelayLimitsOptions>() ?? new RelayLimitsOptions(),
            "HiddenPoints" => configuration.GetSection("HiddenPoints").Get<HiddenPointRoleOptions>() ?? new HiddenPointRoleOptions(),
            "HsDir" => configuration.GetSection("HsDir").Get<HsDirStoreOptions>() ?? new HsDirStoreOptions(),
            TelemetryOptions.Section => configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions(),
            _ => throw new ArgumentException($"unknown section in {path}"),
        };

        foreach (var step in steps[1..])
        {
            value = value switch
            {
                IList list when int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var index) => list[index],
                not null => value.GetType().GetProperty(step)?.GetValue(value) ?? throw new ArgumentException($"no option {step} in {path}"),
                null => throw new ArgumentException($"{path} runs past a null value"),
            };
        }

        return value switch
        {
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value?.ToString() ?? "null",
        };
    }
}
