using System.Globalization;
using System.Text;

namespace HiddenPoint.TorBenchmark;

/// <summary>What one tor of the test network is.</summary>
internal enum TorRole
{
    /// <summary>A directory authority that is also a relay (ORPort and DirPort).</summary>
    Authority,

    /// <summary>A relay (ORPort only: a 0.4.9 relay serves directory requests over its ORPort).</summary>
    Relay,

    /// <summary>A client-only tor that runs the onion service (ControlPort, no SocksPort).</summary>
    OnionService,

    /// <summary>A client-only tor with a SocksPort and a ControlPort.</summary>
    Client,
}

/// <summary>One authority as every tor of the network is told about it (a <c>DirAuthority</c> line).</summary>
/// <param name="Nickname">Its nickname.</param>
/// <param name="OrPort">Its ORPort on 127.0.0.1.</param>
/// <param name="DirPort">Its DirPort on 127.0.0.1.</param>
/// <param name="V3Identity">The fingerprint of its v3 authority identity key (tor-gencert's certificate), 40 hex digits.</param>
/// <param name="RelayFingerprint">The fingerprint of its relay RSA identity key, 40 hex digits.</param>
internal sealed record DirectoryAuthorityEntry(string Nickname, int OrPort, int DirPort, string V3Identity, string RelayFingerprint)
{
    /// <summary>The torrc line.</summary>
    public string ToTorrcLine() => string.Create(
        CultureInfo.InvariantCulture,
        $"DirAuthority {Nickname} orport={OrPort} no-v2 v3ident={V3Identity} {TorNode.Address}:{DirPort} {RelayFingerprint}");
}

/// <summary>Where the onion service's two virtual ports go.</summary>
/// <param name="EchoPort">The echo server's port on 127.0.0.1 (virtual port 7).</param>
/// <param name="SinkPort">The bulk sink's port on 127.0.0.1 (virtual port 9).</param>
internal sealed record OnionServiceTargets(int EchoPort, int SinkPort)
{
    /// <summary>The onion service's virtual port of the echo server.</summary>
    public const int EchoVirtualPort = 7;

    /// <summary>The onion service's virtual port of the bulk sink.</summary>
    public const int SinkVirtualPort = 9;
}

/// <summary>One tor of the network: its role, folder and ports (0 where the role has none).</summary>
internal sealed record TorNode(string Nickname, TorRole Role, string DataDirectory, int OrPort, int DirPort, int ControlPort, int SocksPort)
{
    /// <summary>Every tor listens on this address: TestingTorNetwork lets many relays share one address.</summary>
    public const string Address = "127.0.0.1";

    /// <summary>Whether this tor relays traffic (the processes whose CPU and memory the relay figures count).</summary>
    public bool IsRelay => Role is TorRole.Authority or TorRole.Relay;

    /// <summary>The torrc of this tor.</summary>
    public string TorrcPath => Path.Combine(DataDirectory, "torrc");

    /// <summary>Where this tor logs at notice level.</summary>
    public string NoticeLogPath => Path.Combine(DataDirectory, "notice.log");

    /// <summary>The onion service's keys and hostname (only for <see cref="TorRole.OnionService"/>).</summary>
    public string OnionServiceDirectory => Path.Combine(DataDirectory, "hs");
}

/// <summary>Settings that are the same for every tor of one run.</summary>
/// <param name="Authorities">The network's authorities.</param>
/// <param name="OwnerProcessId">This program's process id: every tor exits by itself when this process is gone
/// (<c>__OwningControllerProcess</c>), so that no tor outlives a crashed benchmark.</param>
/// <param name="OneMillisecondScheduler">Run KIST every 1 ms instead of the default 10 ms.</param>
/// <param name="Service">Where the onion service's ports go.</param>
internal sealed record TorrcSettings(
    IReadOnlyList<DirectoryAuthorityEntry> Authorities, int OwnerProcessId, bool OneMillisecondScheduler, OnionServiceTargets Service);

/// <summary>
/// Writes the torrc of each tor. Everything is Tor's default except what a test network needs: TestingTorNetwork, the
/// network's own authorities, and chutney's settings for a network that forms in seconds rather than in hours (short
/// voting intervals, every relay assumed reachable and voted Guard and HSDir, which a new relay would otherwise earn
/// only after hours of uptime). Nothing tunes the data path (no bandwidth, scheduler, congestion-control or circuit
/// settings), except <c>KISTSchedRunInterval 1</c> when the 1 ms variant is asked for.
/// </summary>
internal static class Torrc
{
    /// <summary>The torrc text of <paramref name="node"/>.</summary>
    public static string For(TorNode node, TorrcSettings settings)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(settings);
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        void Setting(FormattableString line) => Line(FormattableString.Invariant(line));

        // What every tor of a test network needs.
        Line("TestingTorNetwork 1");
        foreach (var authority in settings.Authorities)
        {
            Line(authority.ToTorrcLine());
        }

        // chutney's "rapid bootstrap" settings (torrc_templates/common.i): relays publish without waiting for their
        // reachability self-test, authorities vote every relay Guard (and HSDir, for the onion service), consensuses stay
        // valid for two voting intervals, and a client builds circuits once it knows a quarter of the paths.
        Line("AssumeReachable 1");
        Line("PathsNeededToBuildCircuits 0.25");
        Line("TestingDirAuthVoteGuard *");
        Line("TestingDirAuthVoteHSDir *");
        Line("V3AuthNIntervalsValid 2");

        Setting($"DataDirectory {node.DataDirectory}");
        Setting($"Nickname {node.Nickname}");
        Setting($"Log notice file {node.NoticeLogPath}");
        Line("RunAsDaemon 0");
        Line("ShutdownWaitLength 0");
        Setting($"__OwningControllerProcess {settings.OwnerProcessId}");
        if (settings.OneMillisecondScheduler)
        {
            Line("KISTSchedRunInterval 1");
        }

        switch (node.Role)
        {
            case TorRole.Authority:
                RelayLines(node, Setting);
                Setting($"DirPort {TorNode.Address}:{node.DirPort}");
                Line("AuthoritativeDirectory 1");
                Line("V3AuthoritativeDirectory 1");

                // chutney's authority timing (torrc_templates/authority.i): the fastest voting schedule that stays stable.
                Line("TestingV3AuthInitialVotingInterval 10");
                Line("TestingV3AuthInitialVoteDelay 2");
                Line("TestingV3AuthInitialDistDelay 2");
                Line("V3AuthVotingInterval 10");
                Line("V3AuthVoteDelay 2");
                Line("V3AuthDistDelay 2");
                break;
            case TorRole.Relay:
                RelayLines(node, Setting);
                break;
            case TorRole.OnionService:
                Line("SocksPort 0");
                Setting($"ControlPort {TorNode.Address}:{node.ControlPort}");
                Setting($"HiddenServiceDir {node.OnionServiceDirectory}");
                Setting($"HiddenServicePort {OnionServiceTargets.EchoVirtualPort} {TorNode.Address}:{settings.Service.EchoPort}");
                Setting($"HiddenServicePort {OnionServiceTargets.SinkVirtualPort} {TorNode.Address}:{settings.Service.SinkPort}");
                break;
            case TorRole.Client:
                Setting($"SocksPort {TorNode.Address}:{node.SocksPort}");
                Setting($"ControlPort {TorNode.Address}:{node.ControlPort}");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(node), node.Role, "Unknown tor role.");
        }

        return text.ToString();
    }

    private static void RelayLines(TorNode node, Action<FormattableString> setting)
    {
        setting($"Address {TorNode.Address}");
        setting($"ORPort {TorNode.Address}:{node.OrPort}");
        setting($"SocksPort 0");
        setting($"ContactInfo {node.Nickname}@test.invalid");
    }
}
