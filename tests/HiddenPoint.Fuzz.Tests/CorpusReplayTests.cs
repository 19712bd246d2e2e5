using HiddenPoint.Fuzz;

namespace HiddenPoint.Fuzz.Tests;

/// <summary>
/// Every committed input of every harness, run once through it (no mutation): the seeds made by <c>hpc-fuzz seed</c>
/// and every crash input afl++ found (fixed since). An escaping exception fails the test (F-INV 1, 3, 4); so does an
/// input that allocates more than 1 MiB (F-INV 2), measured on a second run so that one-time static set-up is not
/// counted. No timing is asserted: CI machines are loaded.
/// </summary>
public class CorpusReplayTests
{
    private const long MaxAllocatedPerInput = 1024 * 1024;

    public static TheoryData<string> HarnessNames()
    {
        var names = new TheoryData<string>();
        foreach (var harness in HarnessCatalog.All())
        {
            names.Add(harness.Name);
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(HarnessNames))]
    public void Every_corpus_and_crash_input_runs_clean_within_the_allocation_bound(string name)
    {
        var harness = HarnessCatalog.Find(name);
        Assert.NotNull(harness);
        var corpus = Inputs("corpus", name);
        Assert.NotEmpty(corpus);

        foreach (var file in corpus.Concat(Inputs("crashes", name)))
        {
            var input = File.ReadAllBytes(file);
            Run(harness, input, file);
            var before = GC.GetAllocatedBytesForCurrentThread();
            Run(harness, input, file);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated <= MaxAllocatedPerInput, $"{Path.GetFileName(file)} of {name} allocated {allocated} bytes");
        }
    }

    [Fact]
    public void Harness_names_are_unique_and_every_corpus_folder_belongs_to_a_harness()
    {
        var names = HarnessCatalog.All().Select(h => h.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        foreach (var kind in new[] { "corpus", "crashes" })
        {
            var root = Path.Combine(AppContext.BaseDirectory, "fuzz", kind);
            if (System.IO.Directory.Exists(root))
            {
                foreach (var folder in System.IO.Directory.GetDirectories(root))
                {
                    Assert.Contains(Path.GetFileName(folder), names);
                }
            }
        }
    }

    [Fact]
    public void The_seed_command_reproduces_inputs_every_harness_accepts_without_error()
    {
        foreach (var harness in HarnessCatalog.All())
        {
            foreach (var seed in harness.Seeds())
            {
                Run(harness, seed, $"a fresh seed of {harness.Name}");
            }
        }
    }

    private static void Run(Harness harness, byte[] input, string what)
    {
        try
        {
            harness.Run(input);
        }
#pragma warning disable CA1031 // The test reports whatever escapes, with the input that caused it.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Assert.Fail($"{harness.Name}: {what} threw {exception.GetType().Name}: {exception.Message}\n{exception.StackTrace}");
        }
    }

    private static string[] Inputs(string kind, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "fuzz", kind, name);
        if (!System.IO.Directory.Exists(folder))
        {
            return [];
        }

        var files = System.IO.Directory.GetFiles(folder);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }
}
