using SharpFuzz;

namespace HiddenPoint.Fuzz;

/// <summary>The commands of <c>hpc-fuzz</c>.</summary>
internal static class FuzzCommands
{
    /// <summary>Inputs longer than this are cut: every parser has a smaller size cap, so longer ones add nothing.</summary>
    private const int MaxInput = 1 << 20;

    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            return Usage();
        }

        switch (args[0])
        {
            case "list":
                foreach (var harness in HarnessCatalog.All())
                {
                    Console.WriteLine($"{harness.Name,-24} {harness.Description}");
                }

                return 0;
            case "seed" when args.Length is 2 or 3:
                return Seed(args[1], args.Length == 3 ? args[2] : null);
            case "afl" when args.Length == 2:
                return WithHarness(args[1], harness =>
                {
                    Fuzzer.OutOfProcess.Run(stream => harness.Run(ReadInput(stream)));
                    return 0;
                });
            case "libfuzzer" when args.Length == 2:
                return WithHarness(args[1], harness =>
                {
                    Fuzzer.LibFuzzer.Run(bytes => harness.Run(bytes));
                    return 0;
                });
            case "mutate" when args.Length is 3 or 4:
                return WithHarness(args[1], harness => Mutator.Run(
                    harness, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), 1, args.Length == 4 ? args[3] : null));
            case "replay" when args.Length >= 3:
                return WithHarness(args[1], harness => Replay(harness, args[2..]));
            default:
                return Usage();
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: hpc-fuzz list | seed DIR [HARNESS] | afl HARNESS | libfuzzer HARNESS | replay HARNESS FILE|DIR... | mutate HARNESS COUNT [SAVE-DIR]");
        return 2;
    }

    private static int WithHarness(string name, Func<Harness, int> action)
    {
        if (HarnessCatalog.Find(name) is not { } harness)
        {
            Console.Error.WriteLine($"no harness '{name}'; 'hpc-fuzz list' names them");
            return 2;
        }

        return action(harness);
    }

    private static byte[] ReadInput(Stream stream)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while (buffer.Length < MaxInput && (read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, MaxInput - buffer.Length))) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static int Seed(string directory, string? only)
    {
        var written = 0;
        foreach (var harness in HarnessCatalog.All())
        {
            if (only is not null && harness.Name != only)
            {
                continue;
            }

            var folder = Path.Combine(directory, harness.Name);
            System.IO.Directory.CreateDirectory(folder);
            var index = 0;
            foreach (var seed in harness.Seeds())
            {
                File.WriteAllBytes(Path.Combine(folder, $"seed-{index++:D3}"), seed);
                written++;
            }
        }

        Console.WriteLine($"{written} seeds written under {directory}");
        return 0;
    }

    private static int Replay(Harness harness, string[] paths)
    {
        var failed = 0;
        var count = 0;
        foreach (var path in paths)
        {
            var files = System.IO.Directory.Exists(path) ? System.IO.Directory.GetFiles(path) : [path];
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var file in files)
            {
                count++;
                try
                {
                    harness.Run(File.ReadAllBytes(file));
                }
#pragma warning disable CA1031 // Replay reports every escaping exception: that is what it looks for.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    failed++;
                    Console.WriteLine($"{file}: {exception.GetType().Name}: {exception.Message}");
                    Console.WriteLine(exception.StackTrace);
                }
            }
        }

        Console.WriteLine($"{count} inputs, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
