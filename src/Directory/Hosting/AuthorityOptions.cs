using System.Globalization;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Options;

namespace HiddenPoint.DirectoryAuthority.Hosting;

/// <summary>Another directory authority, as configuration names it.</summary>
public sealed class PeerAuthorityOptions
{
    /// <summary>Its nickname (1–19 letters and digits).</summary>
    public string Nickname { get; set; } = "";

    /// <summary>Where it serves the directory, <c>a.b.c.d:port</c> or <c>[v6]:port</c>.</summary>
    public string Address { get; set; } = "";

    /// <summary>Its identity: the unpadded base64 Ed25519 key that <c>hpc-directory keygen</c> printed.</summary>
    public string Identity { get; set; } = "";
}

/// <summary>The directory authority's configuration (section root; environment variables <c>HPC_DIRECTORY__*</c>).</summary>
public sealed class AuthorityOptions
{
    /// <summary>Folder for the authority key and state.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>This authority's nickname.</summary>
    public string Nickname { get; set; } = "";

    /// <summary>The address Kestrel listens on, <c>a.b.c.d:port</c>; also the address the authority lists for itself.</summary>
    public string Listen { get; set; } = "";

    /// <summary>Time between consensus periods; 1 hour by default, seconds on a testnet.</summary>
    public TimeSpan VotingInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Small flag thresholds, for a test network of new relays.</summary>
    public bool Testnet { get; set; }

    /// <summary>Network parameters this authority votes for.</summary>
    public Dictionary<string, int> Parameters { get; set; } = [];

    /// <summary>The other authorities.</summary>
    public List<PeerAuthorityOptions> Authorities { get; set; } = [];

    /// <summary>Descriptor uploads accepted per source (an IPv4 address or an IPv6 /64) per 10 minutes.</summary>
    public int UploadsPerWindow { get; set; } = 20;

    /// <summary>
    /// Test each relay's link port with a real Noise handshake (its listed link key checked) before voting it
    /// Running. Default true; turning it off leaves Running to the descriptor's age alone and is meant only for
    /// tests of the consensus arithmetic.
    /// </summary>
    public bool ReachabilityTesting { get; set; } = true;

    /// <summary>The longest one reachability test (TCP connect and handshake) may take. Default 10 s; 100 ms to 2 min.</summary>
    public TimeSpan ReachabilityTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Reachability tests run at once. Default 32; 1 to 1024.</summary>
    public int ReachabilityParallelism { get; set; } = 32;

    /// <summary>
    /// How soon after an accepted upload the descriptors are written to disk (uploads in between are written
    /// together). Default 00:00:02; 0 to 1 minute. A crash loses at most this much.
    /// </summary>
    public TimeSpan DescriptorFlushDelay { get; set; } = TimeSpan.FromSeconds(2);

    internal RelayAddress ListenAddress => RelayAddress.TryParse(Listen, out var address) ? address : default;

    internal static bool TryParseIdentity(string text, out AuthorityId id)
    {
        id = default;
        if (text.Length != 43)
        {
            return false;
        }

        var bytes = new byte[32];
        if (!Convert.TryFromBase64String(text + "=", bytes, out var written) || written != 32 ||
            Convert.ToBase64String(bytes).TrimEnd('=') != text)
        {
            return false;
        }

        id = new AuthorityId(Ed25519PublicKey.FromBytes(bytes));
        return true;
    }
}

/// <summary>Checks <see cref="AuthorityOptions"/> at start; each message names the option.</summary>
internal sealed class AuthorityOptionsValidator : IValidateOptions<AuthorityOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthorityOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            problems.Add("DataDirectory: required (the folder that holds authority.key; run `hpc-directory keygen --data-dir DIR` first).");
        }

        if (!IsNickname(options.Nickname))
        {
            problems.Add($"Nickname: '{options.Nickname}' is not 1–19 ASCII letters and digits.");
        }

        if (!RelayAddress.TryParse(options.Listen, out _))
        {
            problems.Add($"Listen: '{options.Listen}' is not an address like 127.0.0.1:7000 or [::1]:7000.");
        }

        if (options.VotingInterval < TimeSpan.FromSeconds(2) || options.VotingInterval > TimeSpan.FromDays(1) ||
            options.VotingInterval.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            problems.Add($"VotingInterval: {options.VotingInterval} must be whole seconds from 00:00:02 to 1.00:00:00.");
        }

        if (options.UploadsPerWindow < 1)
        {
            problems.Add("UploadsPerWindow: must be at least 1.");
        }

        if (options.ReachabilityTimeout < TimeSpan.FromMilliseconds(100) || options.ReachabilityTimeout > TimeSpan.FromMinutes(2))
        {
            problems.Add($"ReachabilityTimeout: {options.ReachabilityTimeout} must be from 00:00:00.1 to 00:02:00.");
        }

        if (options.ReachabilityParallelism is < 1 or > 1024)
        {
            problems.Add($"ReachabilityParallelism: {options.ReachabilityParallelism} must be from 1 to 1024.");
        }

        if (options.DescriptorFlushDelay < TimeSpan.Zero || options.DescriptorFlushDelay > TimeSpan.FromMinutes(1))
        {
            problems.Add($"DescriptorFlushDelay: {options.DescriptorFlushDelay} must be from 00:00:00 to 00:01:00.");
        }

        try
        {
            _ = new NetworkParameters(options.Parameters);
        }
        catch (ArgumentException e)
        {
            problems.Add("Parameters: " + e.Message);
        }

        for (var i = 0; i < options.Authorities.Count; i++)
        {
            var peer = options.Authorities[i];
            var prefix = string.Create(CultureInfo.InvariantCulture, $"Authorities:{i}:");
            if (!IsNickname(peer.Nickname))
            {
                problems.Add($"{prefix}Nickname: '{peer.Nickname}' is not 1–19 ASCII letters and digits.");
            }

            if (!RelayAddress.TryParse(peer.Address, out _))
            {
                problems.Add($"{prefix}Address: '{peer.Address}' is not an address like 127.0.0.2:7000.");
            }

            if (!AuthorityOptions.TryParseIdentity(peer.Identity, out _))
            {
                problems.Add($"{prefix}Identity: '{peer.Identity}' is not a 43-character unpadded base64 Ed25519 key.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static bool IsNickname(string? text) =>
        text is { Length: >= 1 and <= 19 } && text.All(char.IsAsciiLetterOrDigit);
}
