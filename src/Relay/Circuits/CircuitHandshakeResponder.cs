using System.Buffers.Binary;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Relay.Keys;

namespace HiddenPoint.Relay.Circuits;

/// <summary>Why a CREATE2 handshake was refused; <see cref="None"/> when answered.</summary>
public enum HandshakeFailure
{
    /// <summary>Answered.</summary>
    None = 0,

    /// <summary>The CREATE2 body did not parse.</summary>
    MalformedCell,

    /// <summary>A handshake type other than ntor v3.</summary>
    UnsupportedType,

    /// <summary>The handshake names another relay's identity or an onion key this relay does not hold.</summary>
    WrongKey,

    /// <summary>The handshake failed to verify (bad MAC, small-order point, wrong length).</summary>
    BadHandshake,

    /// <summary>The client message did not ask for CGO in a version this relay runs.</summary>
    NoCgo,
}

/// <summary>
/// The relay side of a circuit handshake: reads a CREATE2 body, answers ntor v3 (with the current or previous onion
/// key), negotiates CGO through <see cref="CgoExtension"/>, writes the CREATED2 body, and derives the hop's CGO layer
/// and the binding key KH from the key stream. Thread-safe: the handshake workers share one.
/// </summary>
internal sealed class CircuitHandshakeResponder(IRelayKeys keys)
{
    private ServerForKeys? _server;

    /// <summary>
    /// Answers the CREATE2 whose body is <paramref name="create2Body"/>: on success writes the CREATED2 body to
    /// <paramref name="created2Body"/> (509 bytes, zero past the reply), KH to <paramref name="bindingKey"/>, and
    /// returns the new hop's layer in <paramref name="hop"/> (the caller owns it).
    /// </summary>
    public HandshakeFailure TryRespond(ReadOnlySpan<byte> create2Body, Span<byte> created2Body, Span<byte> bindingKey, out CgoRelayHop? hop)
    {
        hop = null;
        if (!Create2Body.TryDecode(create2Body, out var create, out _))
        {
            return HandshakeFailure.MalformedCell;
        }

        if (create.HandshakeType != HandshakeType.NtorV3)
        {
            return HandshakeFailure.UnsupportedType;
        }

        var server = Server();
        if (!server.TryAccept(create.HandshakeData, out var request, out var error))
        {
            return error is NtorV3Error.UnknownRelayIdentity or NtorV3Error.UnknownOnionKey
                ? HandshakeFailure.WrongKey
                : HandshakeFailure.BadHandshake;
        }

        if (CgoExtension.TryRead(request.ClientMessage, out _) != CgoExtensionError.None)
        {
            request.Reject();
            return HandshakeFailure.NoCgo;
        }

        var response = CgoExtension.Response;
        var length = NtorV3ServerRequest.GetServerHandshakeLength(response.EncodedLength);
        BinaryPrimitives.WriteUInt16BigEndian(created2Body, (ushort)length);
        using var keyStream = request.RespondWithExtensions(response, created2Body.Slice(2, length));
        hop = CircuitKeySchedule.ReadRelayHop(keyStream);
        CircuitKeySchedule.ReadBindingKey(keyStream, bindingKey[..CircuitKeySchedule.BindingKeyLength]);
        return HandshakeFailure.None;
    }

    private NtorV3Server Server()
    {
        // The key set is swapped whole on rotation; a server is built once per set.
        var set = keys.Current;
        var cached = Volatile.Read(ref _server);
        if (cached is not null && ReferenceEquals(cached.Keys, set))
        {
            return cached.Server;
        }

        var fresh = new ServerForKeys(set, new NtorV3Server(NtorV3Labels.Hpc, keys.Id, set.CircuitHandshakeKey, set.PreviousCircuitHandshakeKey));
        Volatile.Write(ref _server, fresh);
        return fresh.Server;
    }

    private sealed record ServerForKeys(RelayKeySet Keys, NtorV3Server Server);
}
