using System.Net;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.HiddenPoints;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Testing;

/// <summary>
/// One relay in this process: a real relay engine (listening on 127.0.0.1 once started), its keys, and a consensus
/// source the test or <see cref="RelayNetwork"/> fills. No host, no directory: the consensus is set directly.
/// </summary>
public sealed class TestRelay : IAsyncDisposable
{
    private bool _disposed;

    /// <summary>
    /// A relay numbered <paramref name="index"/>, with engine options <paramref name="configure"/> sets and
    /// <paramref name="admission"/> (or one that admits everything). Its roles are, by default, an
    /// <see cref="AnsweringRole"/>; <paramref name="role"/> replaces it (and <paramref name="rendezvous"/> the rendezvous
    /// role alone); <paramref name="realRoles"/> runs the relay's own introduction point, rendezvous point and directory
    /// streams over a real HSDir store. Its logs are captured from Debug up, unless <paramref name="quiet"/> (for
    /// benchmarks, where formatting log lines would be measured too).
    /// </summary>
    public TestRelay(
        int index,
        Action<RelayEngineOptions>? configure = null,
        IAddressAdmission? admission = null,
        bool realRoles = false,
        IRelayMessageRole? role = null,
        IRelayMessageRole? rendezvous = null,
        bool quiet = false)
    {
        Index = index;
        var options = new RelayEngineOptions();
        configure?.Invoke(options);
        ILoggerFactory logs = quiet ? NullLoggerFactory.Instance : Logs;
        if (!realRoles)
        {
            var others = role ?? Role;
            Engine = new RelayEngine(
                Keys, Consensus, admission ?? Admission, others, rendezvous ?? others, others, Options.Create(options), TimeProvider.System, logs, Meters);
            return;
        }

        var roleOptions = Options.Create(new HiddenPointRoleOptions());
        HsDir = new HsDirStore(timeProvider: TimeProvider.System, logger: logs.CreateLogger<HsDirStore>());
        Engine = new RelayEngine(
            Keys,
            Consensus,
            admission ?? Admission,
            new IntroductionPointRole(roleOptions, TimeProvider.System, logs.CreateLogger<IntroductionPointRole>(), Meters),
            new RendezvousPointRole(roleOptions, TimeProvider.System, logs.CreateLogger<RendezvousPointRole>(), Meters),
            new DirectoryStreamRole(HsDir, Consensus, roleOptions, TimeProvider.System, logs.CreateLogger<DirectoryStreamRole>(), Meters),
            Options.Create(options),
            TimeProvider.System,
            logs,
            Meters);
    }

    /// <summary>The HSDir store, when the relay runs its real hidden-point roles.</summary>
    public HsDirStore? HsDir { get; }

    /// <summary>Its number, which names it (relay0, relay1, …).</summary>
    public int Index { get; }

    /// <summary>Its keys.</summary>
    public TestRelayKeys Keys { get; } = new();

    /// <summary>The consensus it looks relays up in (EXTEND2's next hop).</summary>
    public SwappableConsensusSource Consensus { get; } = new();

    /// <summary>The admission control in use, unless the constructor was given another.</summary>
    public PermitAllAdmission Admission { get; } = new();

    /// <summary>The role in use, unless the constructor was given others.</summary>
    public AnsweringRole Role { get; } = new();

    /// <summary>The relay's meters.</summary>
    public TestMeterFactory Meters { get; } = new();

    /// <summary>Everything the relay (engine, links, roles) logged from Debug up; nothing when quiet.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>The relay engine.</summary>
    public RelayEngine Engine { get; }

    /// <summary>Its consensus entry, at the address it listens on (once started).</summary>
    public RelayStatus Status => new(
        Keys.Id,
        $"relay{Index}",
        [new RelayAddress(IPAddress.Loopback, (ushort)Engine.LocalEndPoint!.Port)],
        Keys.Current.LinkKey.Public,
        Keys.Current.CircuitHandshakeKey.Public,
        RelayFlags.Running | RelayFlags.Valid | RelayFlags.Fast | RelayFlags.Guard | RelayFlags.Stable,
        1000);

    /// <summary>Starts listening on a free port of 127.0.0.1.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) =>
        Engine.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await Engine.DisposeAsync().ConfigureAwait(false);
        Keys.Dispose();
        Meters.Dispose();
    }
}
