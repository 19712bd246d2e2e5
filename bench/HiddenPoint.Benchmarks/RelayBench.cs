using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.Keys;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Benchmarks;

/// <summary>Real relay engines on loopback, a signed consensus that lists them, and a minimal CGO client.</summary>
internal static class RelayBench
{
    public static RelayEngineOptions Options()
    {
        var options = new RelayEngineOptions();
        // The default per-link rate (200,000 cells/s) is a defence, not a figure to measure against.
        options.Link.MaxCellsPerSecond = 10_000_000;
        options.Link.CellBurst = 10_000_000;

        // Circuits are built and closed thousands of times a second here; on the network a closed circuit's id waits
        // 30 s on each relay link, and 8,192 ids fill a link. Let them go soon, and have room for them meanwhile.
        options.Link.DestroyedCircuitLinger = TimeSpan.FromSeconds(1);
        options.Link.MaxCircuitsPerLink = 1_000_000;
        return options;
    }

    public static LinkRuntime ClientRuntime()
    {
        // Many ids are given up in the CREATE2 benchmark: let them go soon, and have room for them meanwhile.
        var link = new LinkOptions
        {
            MaxCellsPerSecond = 10_000_000,
            CellBurst = 10_000_000,
            DestroyedCircuitLinger = TimeSpan.FromSeconds(1),
            MaxCircuitsPerLink = 1_000_000,
        };
        return new LinkRuntime(Microsoft.Extensions.Options.Options.Create(link), Microsoft.Extensions.Options.Options.Create(new CircuitOptions()), TimeProvider.System, NullLoggerFactory.Instance, new Meters());
    }

    public static void Publish(params Node[] nodes)
    {
        using var authority = AuthorityIdentityKey.Generate();
        var now = DateTimeOffset.UtcNow;
        var validAfter = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var builder = new NetworkStatusBuilder
        {
            ValidAfter = validAfter,
            FreshUntil = validAfter.AddHours(1),
            ValidUntil = validAfter.AddHours(3),
            SharedRandomPreviousValue = new byte[32],
            SharedRandomCurrentValue = new byte[32],
            Authorities = [new AuthorityEntry(authority.Id, "auth0", new RelayAddress(IPAddress.Loopback, 7000))],
            Relays = nodes.Select(n => n.Status).OrderBy(r => Convert.ToHexString(r.Id.Key.Bytes), StringComparer.Ordinal).ToArray(),
        };
        var body = builder.BuildBody(NetworkStatusKind.Consensus);
        var document = NetworkStatusBuilder.Assemble(body, [NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, authority)]);
        if (!NetworkStatusParser.TryParseConsensus(document, out var unverified, out _))
        {
            throw new InvalidOperationException("consensus does not parse");
        }

        var consensus = unverified.VerifySignatures([authority.Id]).Value!.CheckValidAt(TimeProvider.System, null).Value
            ?? throw new InvalidOperationException("consensus not usable");
        foreach (var node in nodes)
        {
            node.Source.Consensus = consensus;
        }
    }

    public static async Task<Link> ConnectClientAsync(LinkRuntime runtime, RelayStatus guard)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(guard.Addresses[0].Address, guard.Addresses[0].Port)).ConfigureAwait(false);
        var result = await runtime.ConnectAsync(LinkTransport.FromSocket(socket), LinkKind.ClientToRelay, guard.LinkKey, null).ConfigureAwait(false);
        return result.Link ?? throw new InvalidOperationException("link failed: " + result.Failure);
    }

    /// <summary>A circuit through <paramref name="path"/> (guard first) over <paramref name="link"/>, built with the client API.</summary>
    public static async Task<ClientCircuit> BuildAsync(Link link, params RelayStatus[] path)
    {
        var circuit = await ClientCircuit.CreateAsync(link, path[0]).ConfigureAwait(false);
        for (var i = 1; i < path.Length; i++)
        {
            await circuit.ExtendAsync(path[i]).ConfigureAwait(false);
        }

        return circuit;
    }

    /// <summary>One relay: a real engine listening on 127.0.0.1.</summary>
    internal sealed class Node : IAsyncDisposable
    {
        private Node(string nickname, IRelayMessageRole role, IRelayMessageRole? rendezvous)
        {
            Nickname = nickname;
            Keys = new Keys();
            Engine = new RelayEngine(Keys, Source, new Admission(), role, rendezvous ?? role, role, Microsoft.Extensions.Options.Options.Create(RelayBench.Options()),
                TimeProvider.System, NullLoggerFactory.Instance, new Meters());
        }

        public string Nickname { get; }

        public Keys Keys { get; }

        public ConsensusSource Source { get; } = new();

        public RelayEngine Engine { get; }

        public RelayStatus Status => new(Keys.Id, Nickname, [new RelayAddress(IPAddress.Loopback, (ushort)Engine.LocalEndPoint!.Port)],
            Keys.Current.LinkKey.Public, Keys.Current.CircuitHandshakeKey.Public, RelayFlags.Running | RelayFlags.Valid | RelayFlags.Fast | RelayFlags.Stable | RelayFlags.Guard, 1000);

        /// <summary>Starts a relay whose roles are <paramref name="role"/>, but for <paramref name="rendezvous"/> when given.</summary>
        public static Node Start(string nickname, IRelayMessageRole role, IRelayMessageRole? rendezvous = null)
        {
            var node = new Node(nickname, role, rendezvous);
            node.Engine.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None).GetAwaiter().GetResult();
            return node;
        }

        public async ValueTask DisposeAsync()
        {
            await Engine.DisposeAsync().ConfigureAwait(false);
            Keys.Dispose();
        }
    }

    internal sealed class Keys : IRelayKeys, IDisposable
    {
        private readonly RelayIdentityKey _identity = RelayIdentityKey.Generate();

        public Keys() => Current = new RelayKeySet(LinkKey.Generate(), null, CircuitHandshakeKey.Generate(), null);

        public RelayId Id => _identity.Id;

        public RelayKeySet Current { get; }

        public void Dispose() => _identity.Dispose();
    }

    internal sealed class ConsensusSource : IConsensusSource
    {
        public Consensus? Consensus { get; set; }

        public ReadOnlyMemory<byte> LatestDocument => Consensus?.Document ?? ReadOnlyMemory<byte>.Empty;

        public bool TryGetUsable([NotNullWhen(true)] out Consensus? consensus, out ConsensusUnavailable reason)
        {
            consensus = Consensus;
            reason = consensus is null ? ConsensusUnavailable.NoneYet : ConsensusUnavailable.None;
            return consensus is not null;
        }
    }

    internal sealed class Admission : IAddressAdmission
    {
        public AdmissionRefusal TryAdmitConnection(IPAddress address, out IDisposable? lease)
        {
            lease = null;
            return AdmissionRefusal.None;
        }

        public AdmissionRefusal TryAdmitCircuit(IPAddress address) => AdmissionRefusal.None;
    }

    internal sealed class Meters : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            lock (_meters)
            {
                _meters.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            lock (_meters)
            {
                _meters.ForEach(m => m.Dispose());
            }
        }
    }
}
