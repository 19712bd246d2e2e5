namespace HiddenPoint.Client.Hosting;

/// <summary>
/// Where the hidden point's descriptors stand, from the HSDirs' latest answers: what a status display needs to tell
/// "published" from "degraded" (uploads failing, so clients that look it up may find nothing).
/// </summary>
/// <param name="Copies">Uploads (one per HSDir and time period) whose latest answer was "stored".</param>
/// <param name="Targets">Uploads in the latest answers.</param>
/// <param name="LastStoredAt">When an HSDir last stored one of its descriptors; null before the first.</param>
public sealed record DescriptorPublication(int Copies, int Targets, DateTimeOffset? LastStoredAt)
{
    /// <summary>Nothing uploaded yet (no introduction point, or before the first round).</summary>
    public static DescriptorPublication None { get; } = new(0, 0, null);

    /// <summary>
    /// Uploads were made and none of their latest answers is "stored": every HSDir is unreachable, blackholed, or
    /// refusing. The host keeps retrying (docs/client.md §4.4); the user should know meanwhile.
    /// </summary>
    public bool Degraded => Targets > 0 && Copies == 0;
}
