namespace HiddenPoint.Client.Guards;

/// <summary>What loading the guard state found.</summary>
public enum GuardStateLoadStatus
{
    /// <summary>The stored state was read.</summary>
    Loaded = 1,

    /// <summary>Nothing stored yet: a fresh sample starts.</summary>
    None,

    /// <summary>The file is larger than the store's limit; refused unread and kept aside.</summary>
    TooLarge,

    /// <summary>The file is not valid guard state (bad JSON, unknown fields, bad identities, impossible values); kept aside.</summary>
    Corrupt,

    /// <summary>The file is of a format version this program does not read; kept aside.</summary>
    UnsupportedVersion,

    /// <summary>The file could not be read (permissions, I/O error).</summary>
    Unreadable,
}

/// <summary>The outcome of <see cref="IGuardStateStore.Load"/>.</summary>
/// <param name="Status">What was found.</param>
/// <param name="State">The state when <see cref="GuardStateLoadStatus.Loaded"/>; an empty one otherwise.</param>
/// <param name="Detail">For a refusal: what was wrong, for the log and the user.</param>
public readonly record struct GuardStateLoad(GuardStateLoadStatus Status, GuardState State, string Detail = "");

/// <summary>
/// Where the guard state lives between runs: a JSON file today (<see cref="GuardStateFile"/>), a table in the client's
/// database later. Implementations refuse hostile input with a status, never an exception, and write atomically.
/// </summary>
public interface IGuardStateStore
{
    /// <summary>Reads the stored state; a refused one is set aside (and logged) so that a fresh sample can start.</summary>
    GuardStateLoad Load();

    /// <summary>Stores <paramref name="state"/>, replacing what was stored, atomically.</summary>
    /// <exception cref="IOException">The write failed; the previous state is still stored.</exception>
    /// <exception cref="UnauthorizedAccessException">The file system refused.</exception>
    void Save(GuardState state);
}

/// <summary>A store that keeps the state in memory only (tests, and clients run without a data directory).</summary>
public sealed class InMemoryGuardStateStore : IGuardStateStore
{
    private readonly Lock _gate = new();
    private GuardState? _state;

    /// <summary>How many times the state was saved.</summary>
    public int Saves { get; private set; }

    /// <inheritdoc/>
    public GuardStateLoad Load()
    {
        lock (_gate)
        {
            return _state is null ? new(GuardStateLoadStatus.None, new GuardState()) : new(GuardStateLoadStatus.Loaded, Copy(_state));
        }
    }

    /// <inheritdoc/>
    public void Save(GuardState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            _state = Copy(state);
            Saves++;
        }
    }

    private static GuardState Copy(GuardState state) => System.Text.Json.JsonSerializer.Deserialize(
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(state, GuardStateJsonContext.Default.GuardState),
        GuardStateJsonContext.Default.GuardState)!;
}
