using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Testing;

/// <summary>Link runtimes, in-memory and loopback transports, and real links between them; every wait is bounded.</summary>
public static class TestLinks
{
    /// <summary>
    /// A link runtime with default options but for what <paramref name="link"/> and <paramref name="circuit"/> set, on
    /// <paramref name="time"/> (the system clock by default), counting into <paramref name="meters"/> (a fresh
    /// <see cref="TestMeterFactory"/> by default) and logging to <paramref name="logs"/> (nowhere by default).
    /// </summary>
    public static LinkRuntime Runtime(
        TimeProvider? time = null,
        Action<LinkOptions>? link = null,
        Action<CircuitOptions>? circuit = null,
        IMeterFactory? meters = null,
        ILoggerFactory? logs = null)
    {
        var linkOptions = new LinkOptions();
        link?.Invoke(linkOptions);
        var circuitOptions = new CircuitOptions();
        circuit?.Invoke(circuitOptions);
        return new LinkRuntime(
            Options.Create(linkOptions),
            Options.Create(circuitOptions),
            time ?? TimeProvider.System,
            logs ?? NullLoggerFactory.Instance,
            meters ?? new TestMeterFactory());
    }

    /// <summary>
    /// Two transports joined by in-memory pipes, and the raw pipe ends under them; <paramref name="initiatorInput"/>,
    /// when given, wraps what the first end reads (a <see cref="GatedPipeReader"/>, say).
    /// </summary>
    public static (LinkTransport A, LinkTransport B, DuplexPipe RawA, DuplexPipe RawB) PipePair(Func<PipeReader, PipeReader>? initiatorInput = null)
    {
        var ab = new Pipe();
        var ba = new Pipe();
        var rawA = new DuplexPipe(initiatorInput is null ? ba.Reader : initiatorInput(ba.Reader), ab.Writer);
        var rawB = new DuplexPipe(ab.Reader, ba.Writer);
        return (LinkTransport.FromDuplexPipe(rawA), LinkTransport.FromDuplexPipe(rawB), rawA, rawB);
    }

    /// <summary>Two connected loopback sockets (the listener took a free port).</summary>
    public static async Task<(Socket Client, Socket Server)> SocketPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!).WaitAsync(TestTimeouts.Step).ConfigureAwait(false);
        var server = await accept.WaitAsync(TestTimeouts.Step).ConfigureAwait(false);
        return (client, server);
    }

    /// <summary>
    /// Opens a link of <paramref name="kind"/> between two transports under fresh keys (the responder on
    /// <paramref name="responderRuntime"/> when given); throws unless both ends open.
    /// </summary>
    public static async Task<(Link Initiator, Link Responder)> OpenAsync(
        LinkRuntime runtime, LinkTransport a, LinkTransport b, LinkKind kind = LinkKind.ClientToRelay,
        ILinkHandler? responderHandler = null, LinkRuntime? responderRuntime = null, ILinkHandler? initiatorHandler = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        using var responderKey = LinkKey.Generate();
        using var initiatorKey = LinkKey.Generate();
        var accept = (responderRuntime ?? runtime).AcceptAsync(b, responderKey, AcceptedLinkKinds.All, responderHandler);
        var connect = runtime.ConnectAsync(a, kind, responderKey.Public, kind == LinkKind.RelayToRelay ? initiatorKey : null, initiatorHandler);
        var initiator = await connect.WaitAsync(TestTimeouts.Step).ConfigureAwait(false);
        var responder = await accept.WaitAsync(TestTimeouts.Step).ConfigureAwait(false);
        if (initiator.Link is null || responder.Link is null)
        {
            throw new InvalidOperationException($"The link did not open: initiator {initiator.Failure}, responder {responder.Failure}.");
        }

        return (initiator.Link, responder.Link);
    }

    /// <summary>
    /// Opens a client link (Noise NK) over loopback TCP to <paramref name="relay"/> at its first listed address, from
    /// <paramref name="from"/> when given (any 127/8 address); throws when the link does not open.
    /// </summary>
    public static async Task<Link> ConnectToRelayAsync(LinkRuntime runtime, RelayStatus relay, IPAddress? from = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(relay);
        var address = relay.Addresses[0];
        var socket = new Socket(address.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (from is not null)
            {
                socket.Bind(new IPEndPoint(from, 0));
            }

            await socket.ConnectAsync(new IPEndPoint(address.Address, address.Port), cancellationToken).AsTask().WaitAsync(TestTimeouts.Step, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var result = await runtime.ConnectAsync(LinkTransport.FromSocket(socket), LinkKind.ClientToRelay, relay.LinkKey, null, null, cancellationToken)
            .WaitAsync(TestTimeouts.Step, cancellationToken).ConfigureAwait(false);
        return result.Link ?? throw new InvalidOperationException($"The link to the relay failed: {result.Failure}.");
    }

    /// <summary>Opens a link of <paramref name="kind"/> over in-memory pipes (see <see cref="PipePair"/>).</summary>
    public static Task<(Link Initiator, Link Responder)> OpenPipeLinkAsync(
        LinkRuntime runtime, LinkKind kind = LinkKind.ClientToRelay, ILinkHandler? responderHandler = null, Func<PipeReader, PipeReader>? initiatorInput = null)
    {
        var (a, b, _, _) = PipePair(initiatorInput);
        return OpenAsync(runtime, a, b, kind, responderHandler);
    }
}
