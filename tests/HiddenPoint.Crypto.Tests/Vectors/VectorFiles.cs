namespace HiddenPoint.Crypto.Tests.Vectors;

/// <summary>
/// Finds the published vector files copied beside the test assembly (tests/vectors/ in the repository).
/// A construction's tests read every file whose name starts with the construction's name; finding none is a
/// failure, never a silent pass.
/// </summary>
internal static class VectorFiles
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "vectors");

    /// <summary>Every file named <c>{prefix}*{extension}</c>, sorted by name; throws when there is none.</summary>
    public static IReadOnlyList<string> Find(string prefix, string extension)
    {
        var files = System.IO.Directory.GetFiles(Directory, prefix + "*" + extension);
        if (files.Length == 0)
        {
            throw new InvalidOperationException($"No vector file {prefix}*{extension} in {Directory}.");
        }

        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>xunit theory data: one row per file, named by the file so a failure says which file.</summary>
    public static TheoryData<string> Named(string prefix, string extension)
    {
        var data = new TheoryData<string>();
        foreach (var file in Find(prefix, extension))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    public static string PathOf(string fileName) => Path.Combine(Directory, fileName);
}
