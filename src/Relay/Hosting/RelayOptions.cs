using System.Globalization;
using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Relay.Hosting;

/// <summary>A directory authority the relay uploads its descriptor to and fetches the consensus from.</summary>
public sealed class RelayAuthorityOptions
{
    /// <summary>Its nickname (1–19 letters and digits), for log lines.</summary>
    public string Nickname { get; set; } = "";

    /// <summary>Where it serves the directory over HTTP, <c>a.b.c.d:port</c> or <c>[v6]:port</c>.</summary>
    public string Address { get; set; } = "";

    /// <summary>Its identity: the unpadded base64 Ed25519 key that <c>hpc-directory keygen</c> printed. The consensus
    /// must carry signatures of more than half of the configured identities.</summary>
    public string Identity { get; set; } = "";
}

/// <summary>
/// The relay's own configuration (section <c>Relay</c>; environment variables <c>HPC_RELAY__Relay__*</c>; command
/// line <c>--Relay:Name=value</c>). Defaults suit a relay on the public network; a test network shortens the intervals.
/// </summary>
public sealed class RelayOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Relay";

    /// <summary>The default data directory (systemd's <c>StateDirectory=hpc-relay</c>).</summary>
    public const string DefaultDataDirectory = "/var/lib/hpc-relay";

    /// <summary>Folder with the keys (identity.key from <c>hpc-relay keygen</c>) and the cached consensus.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    /// <summary>This relay's nickname, 1–19 ASCII letters and digits (required).</summary>
    public string Nickname { get; set; } = "";

    /// <summary>The IP address the link listener binds (default 0.0.0.0: every IPv4 address).</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>The TCP port the link listener binds, 0–65535 (default 9001; 0 lets the system pick one).</summary>
    public int ListenPort { get; set; } = 9001;

    /// <summary>The address other relays and clients reach this relay at, as the descriptor lists it. Empty: the
    /// listen address, which must then be a specific address.</summary>
    public string AdvertisedAddress { get; set; } = "";

    /// <summary>The port the descriptor lists, 0–65535 (default 0: the port the listener is bound to).</summary>
    public int AdvertisedPort { get; set; }

    /// <summary>Advertised bandwidth in bytes per second, 1–4294967295 (default 1000000).</summary>
    public long Bandwidth { get; set; } = 1_000_000;

    /// <summary>The relays of this relay's operator, by identity (43-character unpadded base64); at most 64 ids.
    /// This relay's own id may be listed (it is left out of the descriptor), so every relay of the operator can carry
    /// the same list. Clients treat two relays as one family only when each lists the other.</summary>
    public List<string> Family { get; set; } = [];

    /// <summary>The directory authorities (at least one).</summary>
    public List<RelayAuthorityOptions> Authorities { get; set; } = [];

    /// <summary>How long shutdown waits for open circuits to finish before destroying them (default 30 s; 0–10 min).</summary>
    public TimeSpan ShutdownWaitLength { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time between descriptor uploads when nothing changes (default 1 h; 1 s–12 h). A change (key rotation,
    /// address) is uploaded at once.</summary>
    public TimeSpan DescriptorPublishInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest time between consensus fetches (default 1 h; 1 s–1 d). The relay fetches sooner, soon
    /// after the held consensus' fresh-until.</summary>
    public TimeSpan ConsensusFetchInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one HTTP request to an authority may take (default 30 s; 1 s–5 min).</summary>
    public TimeSpan AuthorityRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a circuit-handshake (ntor) key is used before a new one replaces it (default 28 d; at least 10 s).</summary>
    public TimeSpan CircuitHandshakeKeyLifetime { get; set; } = TimeSpan.FromDays(28);

    /// <summary>How long the replaced circuit-handshake key is still answered (default 7 d; 1 s up to the lifetime):
    /// clients holding an older consensus still extend with it.</summary>
    public TimeSpan CircuitHandshakeKeyOverlap { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a link (Noise static) key is used before a new one replaces it (default 28 d; at least 10 s).</summary>
    public TimeSpan LinkKeyLifetime { get; set; } = TimeSpan.FromDays(28);

    /// <summary>How long the replaced link key is still answered (default 7 d; 1 s up to the lifetime).</summary>
    public TimeSpan LinkKeyOverlap { get; set; } = TimeSpan.FromDays(7);

    internal IPAddress? ParsedListenAddress => IPAddress.TryParse(ListenAddress, out var address) ? address : null;

    /// <summary>The address the descriptor lists, for a listener bound to <paramref name="boundPort"/>.</summary>
    internal RelayAddress Advertised(int boundPort)
    {
        var address = AdvertisedAddress.Length > 0 ? IPAddress.Parse(AdvertisedAddress) : ParsedListenAddress!;
        var port = AdvertisedPort != 0 ? AdvertisedPort : boundPort;
        return new RelayAddress(address, (ushort)port);
    }

    /// <summary>
    /// The family the descriptor of relay <paramref name="self"/> declares: <see cref="Family"/> without
    /// <paramref name="self"/>, so that an operator can give all of its relays the same list (as Tor's MyFamily).
    /// </summary>
    internal IReadOnlyList<RelayId> FamilyIds(RelayId self) =>
        [.. Family.Select(text => new RelayId(ParseKey(text)!.Value)).Where(id => id != self)];

    internal IReadOnlyList<AuthorityId> AuthorityIds() => [.. Authorities.Select(a => new AuthorityId(ParseKey(a.Identity)!.Value))];

    internal static Ed25519PublicKey? ParseKey(string? text)
    {
        if (text is not { Length: 43 })
        {
            return null;
        }

        var bytes = new byte[32];
        if (!Convert.TryFromBase64String(text + "=", bytes, out var written) || written != 32 ||
            Convert.ToBase64String(bytes).TrimEnd('=') != text)
        {
            return null;
        }

        return Ed25519PublicKey.FromBytes(bytes);
    }
}

/// <summary>Checks <see cref="RelayOptions"/> at start; each message names the option as configuration spells it.</summary>
internal sealed class RelayOptionsValidator : IValidateOptions<RelayOptions>
{
    private const string P = RelayOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, RelayOptions options)
    {
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static List<string> Problems(RelayOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            problems.Add($"{P}DataDirectory: required (the folder that holds identity.key; run `hpc-relay keygen --data-dir DIR` first).");
        }

        if (!IsNickname(options.Nickname))
        {
            problems.Add($"{P}Nickname: '{options.Nickname}' is not 1–19 ASCII letters and digits.");
        }

        var listen = options.ParsedListenAddress;
        if (listen is null || listen.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            problems.Add($"{P}ListenAddress: '{options.ListenAddress}' is not an IP address like 0.0.0.0, 192.0.2.7 or ::.");
        }

        if (options.ListenPort is < 0 or > 65535)
        {
            problems.Add($"{P}ListenPort: {options.ListenPort} is not a port from 0 to 65535.");
        }

        if (options.AdvertisedAddress.Length > 0)
        {
            if (!IPAddress.TryParse(options.AdvertisedAddress, out var advertised) || !IsRelayAddress(advertised))
            {
                problems.Add($"{P}AdvertisedAddress: '{options.AdvertisedAddress}' is not a specific IPv4 or IPv6 address others can reach.");
            }
        }
        else if (listen is not null && !IsRelayAddress(listen))
        {
            problems.Add($"{P}AdvertisedAddress: required when ListenAddress is '{options.ListenAddress}' (the address others reach this relay at).");
        }

        if (options.AdvertisedPort is < 0 or > 65535)
        {
            problems.Add($"{P}AdvertisedPort: {options.AdvertisedPort} is not a port from 0 to 65535 (0: the listen port).");
        }

        if (options.Bandwidth is < 1 or > uint.MaxValue)
        {
            problems.Add($"{P}Bandwidth: {options.Bandwidth} is not from 1 to 4294967295 bytes per second.");
        }

        if (options.Family.Count > RelayDescriptor.MaxFamily)
        {
            problems.Add($"{P}Family: {options.Family.Count} relays; at most {RelayDescriptor.MaxFamily}.");
        }

        for (var i = 0; i < options.Family.Count; i++)
        {
            if (RelayOptions.ParseKey(options.Family[i]) is null)
            {
                problems.Add(Invariant($"{P}Family:{i}: '{options.Family[i]}' is not a relay identity (43-character unpadded base64)."));
            }
        }

        if (options.Family.Distinct(StringComparer.Ordinal).Count() != options.Family.Count)
        {
            problems.Add($"{P}Family: a relay is listed twice.");
        }

        if (options.Authorities.Count == 0)
        {
            problems.Add($"{P}Authorities: at least one directory authority is required (Nickname, Address, Identity).");
        }

        for (var i = 0; i < options.Authorities.Count; i++)
        {
            var authority = options.Authorities[i];
            var prefix = Invariant($"{P}Authorities:{i}:");
            if (!IsNickname(authority.Nickname))
            {
                problems.Add($"{prefix}Nickname: '{authority.Nickname}' is not 1–19 ASCII letters and digits.");
            }

            if (!RelayAddress.TryParse(authority.Address, out _))
            {
                problems.Add($"{prefix}Address: '{authority.Address}' is not an address like 127.0.0.1:7000 or [::1]:7000.");
            }

            if (RelayOptions.ParseKey(authority.Identity) is null)
            {
                problems.Add($"{prefix}Identity: '{authority.Identity}' is not a 43-character unpadded base64 Ed25519 key.");
            }
        }

        if (options.Authorities.Select(a => a.Identity).Distinct(StringComparer.Ordinal).Count() != options.Authorities.Count)
        {
            problems.Add($"{P}Authorities: an identity is listed twice.");
        }

        Range(problems, "ShutdownWaitLength", options.ShutdownWaitLength, TimeSpan.Zero, TimeSpan.FromMinutes(10));
        Range(problems, "DescriptorPublishInterval", options.DescriptorPublishInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(12));
        Range(problems, "ConsensusFetchInterval", options.ConsensusFetchInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Range(problems, "AuthorityRequestTimeout", options.AuthorityRequestTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        Range(problems, "CircuitHandshakeKeyLifetime", options.CircuitHandshakeKeyLifetime, TimeSpan.FromSeconds(10), TimeSpan.FromDays(365));
        Range(problems, "CircuitHandshakeKeyOverlap", options.CircuitHandshakeKeyOverlap, TimeSpan.FromSeconds(1), options.CircuitHandshakeKeyLifetime);
        Range(problems, "LinkKeyLifetime", options.LinkKeyLifetime, TimeSpan.FromSeconds(10), TimeSpan.FromDays(365));
        Range(problems, "LinkKeyOverlap", options.LinkKeyOverlap, TimeSpan.FromSeconds(1), options.LinkKeyLifetime);
        return problems;
    }

    private static void Range(List<string> problems, string option, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            problems.Add(Invariant($"{P}{option}: {value} is not from {min} to {max}."));
        }
    }

    private static bool IsRelayAddress(IPAddress address) =>
        address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 &&
        !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !address.IsIPv4MappedToIPv6 &&
        (address.AddressFamily != AddressFamily.InterNetworkV6 || address.ScopeId == 0);

    internal static bool IsNickname(string? text) =>
        text is { Length: >= 1 and <= 19 } && text.All(char.IsAsciiLetterOrDigit);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
