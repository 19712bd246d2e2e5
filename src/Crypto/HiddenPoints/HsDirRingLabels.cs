using System.Text;

namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// The labels of the HSDir hash ring (rend-spec-v3 §2.2.3) and of the disaster shared random value (§2.3.1).
/// </summary>
public sealed class HsDirRingLabels
{
    private readonly byte[] _serviceIndex;
    private readonly byte[] _relayIndex;
    private readonly byte[] _disasterSharedRandom;

    /// <summary>Creates a label set; each label is non-empty ASCII of at most 64 characters.</summary>
    /// <param name="serviceIndex">Prefix of hs_service_index, Tor's <c>store-at-idx</c>.</param>
    /// <param name="relayIndex">Prefix of hs_relay_index, Tor's <c>node-idx</c>.</param>
    /// <param name="disasterSharedRandom">Prefix of the disaster SRV, Tor's <c>shared-random-disaster</c>.</param>
    public HsDirRingLabels(string serviceIndex, string relayIndex, string disasterSharedRandom)
    {
        _serviceIndex = ToAscii(serviceIndex, nameof(serviceIndex));
        _relayIndex = ToAscii(relayIndex, nameof(relayIndex));
        _disasterSharedRandom = ToAscii(disasterSharedRandom, nameof(disasterSharedRandom));
    }

    /// <summary>The longest label accepted, in bytes.</summary>
    public const int MaxLabelLength = 64;

    /// <summary>Tor's labels.</summary>
    public static HsDirRingLabels Tor { get; } = new("store-at-idx", "node-idx", "shared-random-disaster");

    /// <summary>HiddenPoint's labels.</summary>
    public static HsDirRingLabels Hpc { get; } = new("hpc-store-at-idx", "hpc-node-idx", "hpc-shared-random-disaster");

    /// <summary>Prefix of hs_service_index.</summary>
    public ReadOnlySpan<byte> ServiceIndex => _serviceIndex;

    /// <summary>Prefix of hs_relay_index.</summary>
    public ReadOnlySpan<byte> RelayIndex => _relayIndex;

    /// <summary>Prefix of the disaster shared random value.</summary>
    public ReadOnlySpan<byte> DisasterSharedRandom => _disasterSharedRandom;

    private static byte[] ToAscii(string label, string name)
    {
        ArgumentNullException.ThrowIfNull(label, name);
        if (label.Length is 0 or > MaxLabelLength || !Ascii.IsValid(label))
        {
            throw new ArgumentException($"A label must be 1 to {MaxLabelLength} ASCII characters.", name);
        }

        return Encoding.ASCII.GetBytes(label);
    }
}
