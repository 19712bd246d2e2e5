using System.Globalization;

namespace HiddenPoint.Benchmarks;

/// <summary>
/// Where one process's resident pages lie, read from <c>/proc/PID/status</c> (VmRSS) and <c>/proc/PID/smaps</c> (every
/// mapping's Rss), all in kB:
/// <list type="bullet">
/// <item><see cref="GcHeap"/>: the anonymous mappings of the GC's reserved range (the regions GC reserves one large
/// range of address space at start and commits regions inside it from the bottom up);</item>
/// <item><see cref="DoubleMapped"/>: <c>/memfd:doublemapper</c>, the runtime's code and loader heaps, mapped twice
/// (writable and executable views of the same pages: W^X), so that VmRSS counts these pages once per view;</item>
/// <item><see cref="Files"/>: file mappings (the runtime's native libraries, the assemblies, libsodium, libcrypto),
/// clean pages shared with every other .NET process that maps the same files;</item>
/// <item><see cref="OtherAnonymous"/>: the rest: the native heap (malloc), thread stacks, the runtime's own tables.</item>
/// </list>
/// </summary>
internal sealed record RelayMemory(string Name, long Rss, long GcHeap, long DoubleMapped, long Files, long OtherAnonymous)
{
    // The GC's reservation is hundreds of GB; nothing else in the process reserves a single range of 1 GB.
    private const long GcReservationMinimumKb = 1024 * 1024;

    /// <summary>Reads process <paramref name="processId"/> now; zeros when it has gone.</summary>
    public static RelayMemory Read(string name, int processId)
    {
        try
        {
            var rss = StatusKb(File.ReadAllLines($"/proc/{processId}/status"), "VmRSS:");
            var mappings = Mappings(File.ReadAllLines($"/proc/{processId}/smaps"));
            var gc = GcRange(mappings);
            long gcHeap = 0, doubleMapped = 0, files = 0, other = 0;
            for (var i = 0; i < mappings.Count; i++)
            {
                var mapping = mappings[i];
                if (i >= gc.First && i <= gc.Last)
                {
                    gcHeap += mapping.RssKb;
                }
                else if (mapping.Path.Contains("doublemapper", StringComparison.Ordinal))
                {
                    doubleMapped += mapping.RssKb;
                }
                else if (mapping.Path.StartsWith('/'))
                {
                    files += mapping.RssKb;
                }
                else
                {
                    other += mapping.RssKb;
                }
            }

            return new RelayMemory(name, rss, gcHeap, doubleMapped, files, other);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return new RelayMemory(name, 0, 0, 0, 0, 0);
        }
    }

    private readonly record struct Mapping(ulong Start, ulong End, string Path, long RssKb)
    {
        public bool IsAnonymous => Path.Length == 0 || (Path.StartsWith('[') && Path != "[stack]" && Path != "[heap]");

        public long SizeKb => (long)((End - Start) / 1024);
    }

    // The GC commits its regions from the bottom of its reservation up: the range is the run of adjacent anonymous
    // mappings that ends with the largest one (the reservation's untouched rest), when that one is GC-sized. Mappings
    // above it are not the GC's (glibc's malloc arenas are often placed right after it).
    private static (int First, int Last) GcRange(List<Mapping> mappings)
    {
        var largest = -1;
        for (var i = 0; i < mappings.Count; i++)
        {
            if (mappings[i].IsAnonymous && (largest < 0 || mappings[i].SizeKb > mappings[largest].SizeKb))
            {
                largest = i;
            }
        }

        if (largest < 0 || mappings[largest].SizeKb < GcReservationMinimumKb)
        {
            return (-1, -2);
        }

        var first = largest;
        while (first > 0 && mappings[first - 1].IsAnonymous && mappings[first - 1].End == mappings[first].Start)
        {
            first--;
        }

        return (first, largest);
    }

    private static List<Mapping> Mappings(string[] lines)
    {
        var mappings = new List<Mapping>();
        ulong start = 0, end = 0;
        var path = "";
        var open = false;
        foreach (var line in lines)
        {
            if (line.Length > 0 && char.IsAsciiHexDigitLower(line[0]))
            {
                var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                var range = fields[0].Split('-');
                start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                path = fields.Length >= 6 ? fields[5].Trim() : "";
                open = true;
            }
            else if (open && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                mappings.Add(new Mapping(start, end, path, Kb(line)));
                open = false;
            }
        }

        return mappings;
    }

    private static long StatusKb(string[] lines, string field) =>
        lines.FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal)) is { } line ? Kb(line) : 0;

    private static long Kb(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
