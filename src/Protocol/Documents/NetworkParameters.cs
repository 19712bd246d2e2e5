using System.Text;

namespace HiddenPoint.Protocol.Documents;

/// <summary>
/// A network parameter this code knows: its name in the <c>params</c> line, the value used when the consensus does
/// not set it, and the range a value is clamped to.
/// </summary>
public sealed class NetworkParameter
{
    private NetworkParameter(string name, int defaultValue, int minimum, int maximum)
    {
        Name = name;
        Default = defaultValue;
        Minimum = minimum;
        Maximum = maximum;
    }

    /// <summary>Cells a circuit may have in flight before the sender waits for a SENDME.</summary>
    public static NetworkParameter CircuitWindow { get; } = new("CircuitWindow", 1000, 100, 1000);

    /// <summary>Cells queued on one circuit before the relay closes it.</summary>
    public static NetworkParameter MaxCircuitQueueCells { get; } = new("MaxCircuitQueueCells", 2500, 1000, 100_000);

    /// <summary>Replicas of a hidden-point descriptor on the HSDir ring.</summary>
    public static NetworkParameter HsDirReplicas { get; } = new("HsDirReplicas", 2, 1, 16);

    /// <summary>HSDirs per replica a descriptor is stored on.</summary>
    public static NetworkParameter HsDirSpreadStore { get; } = new("HsDirSpreadStore", 4, 1, 128);

    /// <summary>HSDirs per replica a client picks one from when fetching.</summary>
    public static NetworkParameter HsDirSpreadFetch { get; } = new("HsDirSpreadFetch", 3, 1, 128);

    /// <summary>
    /// Length of a hidden-point time period in minutes (Tor's <c>hsdir-interval</c>); periods start half a length
    /// after each multiple of the length since the epoch. A testnet may shorten it, down to 2; never longer than a day.
    /// </summary>
    public static NetworkParameter HsDirInterval { get; } = new("HsDirInterval", 1440, 2, 1440);

    /// <summary>Relays refuse circuits from an address that creates them too fast (1) or not (0). Tor's name.</summary>
    public static NetworkParameter DoSCircuitCreationEnabled { get; } = new("DoSCircuitCreationEnabled", 1, 0, 1);

    /// <summary>Concurrent connections an address needs before its circuit rate can get it marked. Tor's name and default.</summary>
    public static NetworkParameter DoSCircuitCreationMinConnections { get; } = new("DoSCircuitCreationMinConnections", 3, 1, 10_000);

    /// <summary>Circuits per second an address may create, after its burst. Tor's name and default.</summary>
    public static NetworkParameter DoSCircuitCreationRate { get; } = new("DoSCircuitCreationRate", 3, 1, 10_000);

    /// <summary>Circuits an address may create at once before the rate applies. Tor's name and default.</summary>
    public static NetworkParameter DoSCircuitCreationBurst { get; } = new("DoSCircuitCreationBurst", 90, 1, 1_000_000);

    /// <summary>
    /// Seconds an address that broke the circuit rate has its circuits refused. Tor's default; Tor's name
    /// (DoSCircuitCreationDefenseTimePeriod) is longer than <see cref="NetworkParameters.MaxNameLength"/>.
    /// </summary>
    public static NetworkParameter DoSCircuitCreationDefensePeriod { get; } = new("DoSCircuitCreationDefensePeriod", 3_600, 1, 604_800);

    /// <summary>Relays limit connections per address (1) or not (0). Tor's name.</summary>
    public static NetworkParameter DoSConnectionEnabled { get; } = new("DoSConnectionEnabled", 1, 0, 1);

    /// <summary>Concurrent connections one address may hold. Tor's name and default.</summary>
    public static NetworkParameter DoSConnectionMaxConcurrentCount { get; } = new("DoSConnectionMaxConcurrentCount", 100, 1, 100_000);

    /// <summary>New connections per second an address may open, after its burst. Tor's name and default.</summary>
    public static NetworkParameter DoSConnectionConnectRate { get; } = new("DoSConnectionConnectRate", 20, 1, 10_000);

    /// <summary>New connections an address may open at once before the rate applies. Tor's name and default.</summary>
    public static NetworkParameter DoSConnectionConnectBurst { get; } = new("DoSConnectionConnectBurst", 40, 1, 1_000_000);

    /// <summary>
    /// Seconds an address that broke the connection rate has its connections refused. Tor's default; Tor's name
    /// (DoSConnectionConnectDefenseTimePeriod) is longer than <see cref="NetworkParameters.MaxNameLength"/>.
    /// </summary>
    public static NetworkParameter DoSConnectionDefensePeriod { get; } = new("DoSConnectionDefensePeriod", 86_400, 10, 604_800);

    /// <summary>Every parameter this code knows.</summary>
    public static IReadOnlyList<NetworkParameter> Known { get; } =
    [
        CircuitWindow, HsDirInterval, HsDirReplicas, HsDirSpreadFetch, HsDirSpreadStore, MaxCircuitQueueCells,
        DoSCircuitCreationBurst, DoSCircuitCreationDefensePeriod, DoSCircuitCreationEnabled, DoSCircuitCreationMinConnections,
        DoSCircuitCreationRate, DoSConnectionConnectBurst, DoSConnectionConnectRate, DoSConnectionDefensePeriod,
        DoSConnectionEnabled, DoSConnectionMaxConcurrentCount,
    ];

    /// <summary>True when <paramref name="parameters"/> sets this parameter (rather than leaving its default).</summary>
    public bool IsSetIn(NetworkParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (name, _) in parameters.All)
        {
            if (name == Name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The name in the <c>params</c> line.</summary>
    public string Name { get; }

    /// <summary>The value when the consensus does not set it.</summary>
    public int Default { get; }

    /// <summary>The smallest value used; smaller published values are raised to it.</summary>
    public int Minimum { get; }

    /// <summary>The largest value used; larger published values are lowered to it.</summary>
    public int Maximum { get; }

    /// <summary>The known parameter called <paramref name="name"/>, or null.</summary>
    public static NetworkParameter? Find(string name)
    {
        foreach (var parameter in Known)
        {
            if (parameter.Name == name)
            {
                return parameter;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (default {Default}, {Minimum}..{Maximum})";
}

/// <summary>
/// The <c>params</c> line of a vote or consensus: <c>Name=value</c> pairs, names sorted ordinally, values signed
/// 32-bit. Every pair is kept (unknown names too, so that the document re-encodes exactly), but only the
/// parameters in <see cref="NetworkParameter.Known"/> are read, through <see cref="Get"/>, which clamps to the
/// parameter's range: a newer authority may widen a range, and clamping keeps older clients working instead of
/// refusing the whole consensus.
/// </summary>
public sealed class NetworkParameters
{
    /// <summary>At most this many pairs.</summary>
    public const int MaxCount = 128;

    /// <summary>The longest name.</summary>
    public const int MaxNameLength = 32;

    private readonly KeyValuePair<string, int>[] _pairs;

    /// <summary>Creates a set of parameters from pairs in any order.</summary>
    /// <param name="pairs">The pairs.</param>
    /// <exception cref="ArgumentException">A malformed or repeated name, too many pairs, or a known parameter set
    /// outside its range (authorities must not publish values that clients would clamp).</exception>
    public NetworkParameters(IEnumerable<KeyValuePair<string, int>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var list = pairs.ToArray();
        if (list.Length > MaxCount)
        {
            throw new ArgumentException($"At most {MaxCount} network parameters.", nameof(pairs));
        }

        Array.Sort(list, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 0; i < list.Length; i++)
        {
            var (name, value) = list[i];
            if (!IsName(name))
            {
                throw new ArgumentException($"'{name}' is not a network parameter name.", nameof(pairs));
            }

            if (i > 0 && list[i - 1].Key == name)
            {
                throw new ArgumentException($"Network parameter '{name}' is set twice.", nameof(pairs));
            }

            var known = NetworkParameter.Find(name);
            if (known is not null && (value < known.Minimum || value > known.Maximum))
            {
                throw new ArgumentException($"Network parameter {known} cannot be {value}.", nameof(pairs));
            }
        }

        _pairs = list;
    }

    private NetworkParameters(KeyValuePair<string, int>[] sorted, bool _) => _pairs = sorted;

    /// <summary>No parameters set: every known parameter has its default.</summary>
    public static NetworkParameters Empty { get; } = new([], false);

    /// <summary>Every pair as published, sorted by name, unknown names included.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> All => _pairs;

    /// <summary>The value of a known parameter: its default when unset, clamped to its range when set outside it.</summary>
    public int Get(NetworkParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        foreach (var (name, value) in _pairs)
        {
            if (name == parameter.Name)
            {
                return Math.Clamp(value, parameter.Minimum, parameter.Maximum);
            }
        }

        return parameter.Default;
    }

    internal static bool TryParse(DocumentLine line, out NetworkParameters? parameters, out DocumentErrorKind error)
    {
        parameters = null;
        if (line.ArgumentCount > MaxCount)
        {
            error = DocumentErrorKind.TooManyItems;
            return false;
        }

        var pairs = new KeyValuePair<string, int>[line.ArgumentCount];
        var cursor = line.Cursor();
        ReadOnlySpan<byte> previous = default;
        for (var i = 0; i < pairs.Length; i++)
        {
            var argument = cursor.Next();
            var equals = argument.IndexOf((byte)'=');
            if (equals <= 0 || !IsName(argument[..equals]) || !DocumentValues.TryParseInt32(argument[(equals + 1)..], out var value))
            {
                error = DocumentErrorKind.BadParameter;
                return false;
            }

            var name = argument[..equals];
            if (i > 0)
            {
                var order = name.SequenceCompareTo(previous);
                if (order <= 0)
                {
                    error = order == 0 ? DocumentErrorKind.DuplicateEntry : DocumentErrorKind.NotSorted;
                    return false;
                }
            }

            previous = name;
            pairs[i] = new KeyValuePair<string, int>(Encoding.ASCII.GetString(name), value);
        }

        parameters = new NetworkParameters(pairs, false);
        error = default;
        return true;
    }

    /// <summary>The line's arguments.</summary>
    public override string ToString() => string.Join(' ', _pairs.Select(p => p.Key + "=" + p.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A letter, then letters, digits and '_'; at most 32.</summary>
    private static bool IsName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength || name[0] is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
        {
            return false;
        }

        foreach (var b in name)
        {
            if (!DocumentValues.IsAlphanumeric(b) && b != (byte)'_')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxNameLength && !name.Any(c => c > 0x7F) &&
        IsName(Encoding.ASCII.GetBytes(name));
}
