using System.Globalization;
using System.Text.Json;
using HiddenPoint.Client.Diagnostics;
using HiddenPoint.Crypto.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Client.Guards;

/// <summary>
/// The guard state in one JSON file in the client's data directory (<see cref="FileName"/>). The file is hostile input:
/// one larger than <see cref="MaxFileLength"/> is refused unread; one that is not exactly the expected shape (unknown
/// fields included), names an identity that is not 32 bytes, repeats a relay, or holds more entries than any valid
/// configuration makes, is refused. A refused file is renamed aside (<c>guards.json.bad-&lt;UTC time&gt;</c>) so that
/// nothing is lost and a fresh sample starts; the reason is logged and returned. Writes are atomic
/// (<see cref="AtomicFile"/>: temporary file, flush, rename).
/// </summary>
public sealed class GuardStateFile : IGuardStateStore
{
    /// <summary>The file's name in the data directory.</summary>
    public const string FileName = "guards.json";

    /// <summary>The largest file read: far above what 1,000 sampled guards and 19 vanguards take (about 200 KiB).</summary>
    public const int MaxFileLength = 1024 * 1024;

    private const int MaxSampleEntries = 1_000;
    private const int MaxVanguardEntries = 19;
    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>The state file in <paramref name="dataDirectory"/>.</summary>
    public GuardStateFile(string dataDirectory, TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _path = Path.Combine(dataDirectory, FileName);
        _time = timeProvider;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The file's full path.</summary>
    public string FilePath => _path;

    /// <inheritdoc/>
    public GuardStateLoad Load()
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxFileLength)
            {
                return Refuse(GuardStateLoadStatus.TooLarge, $"the file holds {stream.Length} bytes, more than the {MaxFileLength} allowed");
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new(GuardStateLoadStatus.None, new GuardState());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var detail = "the file could not be read: " + e.GetType().Name;
            ClientLog.GuardStateRefused(_logger, GuardStateLoadStatus.Unreadable, detail, "(not moved)");
            return new(GuardStateLoadStatus.Unreadable, new GuardState(), detail);
        }

        GuardState? state;
        try
        {
            state = JsonSerializer.Deserialize(bytes, GuardStateJsonContext.Default.GuardState);
        }
        catch (JsonException e)
        {
            return Refuse(GuardStateLoadStatus.Corrupt, "not valid guard state JSON" + (e.LineNumber is { } line ? $" (line {line + 1})" : ""));
        }

        if (state is null)
        {
            return Refuse(GuardStateLoadStatus.Corrupt, "the file holds null");
        }

        if (state.Version != GuardState.CurrentVersion)
        {
            return Refuse(GuardStateLoadStatus.UnsupportedVersion, $"format version {state.Version}, this program reads {GuardState.CurrentVersion}");
        }

        var problem = Check(state);
        return problem is null ? new(GuardStateLoadStatus.Loaded, state) : Refuse(GuardStateLoadStatus.Corrupt, problem);
    }

    /// <inheritdoc/>
    public void Save(GuardState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(state, GuardStateJsonContext.Default.GuardState);
        AtomicFile.Write(_path, bytes, replace: true, ownerOnly: true);
    }

    // The checks the JSON contract cannot express. Null when the state is sound.
    private static string? Check(GuardState state)
    {
        if (state.Sample is null || state.Vanguards is null)
        {
            return "a list is missing";
        }

        if (state.Sample.Count > MaxSampleEntries || state.Vanguards.Count > MaxVanguardEntries)
        {
            return $"more than {MaxSampleEntries} sampled guards or {MaxVanguardEntries} vanguards";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var guard in state.Sample)
        {
            if (guard is null || !RelayIds.TryParse(guard.Id, out _))
            {
                return "a sampled guard's identity is not a 32-byte key";
            }

            if (!seen.Add(guard.Id))
            {
                return "a guard is sampled twice";
            }

            if (guard.ConfirmedAt < guard.AddedAt || guard.UnlistedSince < guard.AddedAt)
            {
                return "a sampled guard's times are out of order";
            }
        }

        seen.Clear();
        foreach (var vanguard in state.Vanguards)
        {
            if (vanguard is null || !RelayIds.TryParse(vanguard.Id, out _))
            {
                return "a vanguard's identity is not a 32-byte key";
            }

            if (!seen.Add(vanguard.Id))
            {
                return "a vanguard is listed twice";
            }

            if (vanguard.ExpiresAt < vanguard.AddedAt)
            {
                return "a vanguard expires before it was added";
            }
        }

        return null;
    }

    private GuardStateLoad Refuse(GuardStateLoadStatus status, string detail)
    {
        var aside = _path + ".bad-" + _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        try
        {
            File.Move(_path, aside, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            aside = "(could not be moved: " + e.GetType().Name + ")";
        }

        ClientLog.GuardStateRefused(_logger, status, detail, aside);
        return new(status, new GuardState(), detail);
    }
}
