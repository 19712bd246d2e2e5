using System.Text.Json.Serialization;

namespace HiddenPoint.Client.Guards;

/// <summary>
/// The guard state as stored (docs/client.md §2): the sample in the order guards were added, when each was confirmed
/// (first carried a circuit), since when it has been missing from the consensus, and the layer-2 vanguards with their
/// expiry. Which guards are failing is not stored: after a restart every guard is tried afresh, as guard-spec says.
/// </summary>
public sealed class GuardState
{
    /// <summary>The only format version read and written.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The format version.</summary>
    public int Version { get; set; } = CurrentVersion;

    /// <summary>The sampled guards, in the order they were added.</summary>
    public List<SampledGuardRecord> Sample { get; set; } = [];

    /// <summary>The layer-2 vanguards.</summary>
    public List<VanguardRecord> Vanguards { get; set; } = [];
}

/// <summary>One sampled guard.</summary>
public sealed class SampledGuardRecord
{
    /// <summary>The relay's Ed25519 identity, unpadded base64.</summary>
    public string Id { get; set; } = "";

    /// <summary>When it entered the sample.</summary>
    public DateTimeOffset AddedAt { get; set; }

    /// <summary>When a circuit through it first succeeded; null while unconfirmed.</summary>
    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>Since when it has been missing from the consensus (or not usable as a guard); null while listed.</summary>
    public DateTimeOffset? UnlistedSince { get; set; }
}

/// <summary>One layer-2 vanguard.</summary>
public sealed class VanguardRecord
{
    /// <summary>The relay's Ed25519 identity, unpadded base64.</summary>
    public string Id { get; set; } = "";

    /// <summary>When it was chosen.</summary>
    public DateTimeOffset AddedAt { get; set; }

    /// <summary>When it is replaced.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>The System.Text.Json source-generated contract of <see cref="GuardState"/> (no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, MaxDepth = 8)]
[JsonSerializable(typeof(GuardState))]
internal sealed partial class GuardStateJsonContext : JsonSerializerContext
{
}
