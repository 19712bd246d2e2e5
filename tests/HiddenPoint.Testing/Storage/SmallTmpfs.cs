using System.Diagnostics;

namespace HiddenPoint.Testing;

/// <summary>
/// A tiny tmpfs mounted for one test, so that a real write can fail with ENOSPC ("no space left on device"). Mounting
/// needs root (CAP_SYS_ADMIN) on Linux; <see cref="MissingReason"/> says why it cannot be done elsewhere.
/// </summary>
public sealed class SmallTmpfs : IDisposable
{
    private static readonly Lazy<string?> s_missingReason = new(Probe);

    private SmallTmpfs(string path) => Path = path;

    /// <summary>Null when a tmpfs can be mounted here; otherwise why not.</summary>
    public static string? MissingReason => s_missingReason.Value;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="kibibytes"/> KiB on a new temporary folder.</summary>
    public static SmallTmpfs Mount(int kibibytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hpc-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={kibibytes}k,mode=0700", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"mount failed ({code}): {output}");
        }

        return new SmallTmpfs(path);
    }

    /// <summary>Writes a file named <paramref name="name"/> until the file system is full; returns its path.</summary>
    public string Fill(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        var chunk = new byte[1024];
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
            {
                stream.Write(chunk);
            }
        }
        catch (IOException)
        {
            // Full: the partial chunk that did not fit is not part of the file.
        }

        return path;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Run("umount", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tmpfs mounts need Linux";
        }

        if (Environment.UserName != "root")
        {
            return "mounting a tmpfs needs root";
        }

        try
        {
            using var probe = Mount(8);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return "cannot mount a tmpfs here: " + e.Message;
        }
    }

    private static (int Code, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TestTimeouts.Step))
        {
            process.Kill();
            throw new InvalidOperationException($"{program} did not finish");
        }

        return (process.ExitCode, output + error.GetAwaiter().GetResult());
    }
}
