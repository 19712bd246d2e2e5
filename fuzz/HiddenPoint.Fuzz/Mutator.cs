namespace HiddenPoint.Fuzz;

/// <summary>
/// A small in-process mutation loop (<c>hpc-fuzz mutate</c>): random bit flips, byte changes, inserts, deletes, cuts
/// and splices of the harness's seeds, from a fixed random seed, for a quick look at a harness between afl++ runs or
/// where afl++ is not installed. It finds shallow faults only; afl++ (fuzz/run.sh) is the real fuzzer.
/// </summary>
internal static class Mutator
{
    public static int Run(Harness harness, int iterations, int randomSeed, string? saveTo)
    {
        var random = new Random(randomSeed);
        var seeds = harness.Seeds().Where(s => s.Length > 0).ToArray();
        if (seeds.Length == 0)
        {
            seeds = [[0]];
        }

        var failures = 0;
        for (var i = 0; i < iterations; i++)
        {
            var input = Mutate(random, seeds[random.Next(seeds.Length)], seeds[random.Next(seeds.Length)]);
            try
            {
                harness.Run(input);
            }
#pragma warning disable CA1031 // The loop reports whatever escapes, with the input that caused it.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                failures++;
                Console.WriteLine($"iteration {i}: {exception.GetType().Name}: {exception.Message}");
                Console.WriteLine(exception.StackTrace);
                if (saveTo is not null)
                {
                    System.IO.Directory.CreateDirectory(saveTo);
                    File.WriteAllBytes(Path.Combine(saveTo, $"mutate-{i}"), input);
                }

                if (failures >= 5)
                {
                    break;
                }
            }
        }

        Console.WriteLine($"{harness.Name}: {iterations} mutations, {failures} failed");
        return failures == 0 ? 0 : 1;
    }

    private static byte[] Mutate(Random random, byte[] seed, byte[] other)
    {
        var bytes = new List<byte>(seed);
        var rounds = 1 + random.Next(8);
        for (var r = 0; r < rounds; r++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(16)));
                    break;
                case 4 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5 when other.Length > 0:
                    var from = random.Next(other.Length);
                    bytes.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + random.Next(64))).ToArray());
                    break;
                default:
                    var copyFrom = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
                    var length = Math.Min(bytes.Count - copyFrom, 1 + random.Next(32));
                    bytes.InsertRange(at, bytes.GetRange(copyFrom, length));
                    break;
            }
        }

        return [.. bytes];
    }

    private static readonly byte[] Interesting = [0, 1, 0x7F, 0x80, 0xFF, (byte)' ', (byte)'\n', (byte)'-', (byte)'0', (byte)'9', (byte)'=', 0x0D, (byte)'"', (byte)'{'];
}
