using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Interop;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The relay side of ntor v3 (Tor proposal 332): holds the relay's identity and onion key(s), checks a client
/// handshake from CREATE2/EXTEND2 (<see cref="TryAccept"/>), and gives the decrypted client message to the
/// caller, who then answers with <see cref="NtorV3ServerRequest.Respond(ReadOnlySpan{byte}, Span{byte})"/>.
/// </summary>
/// <remarks>
/// Size limits come from the cells that carry the handshake: a CREATE2 body is 509 bytes, of which HTYPE and
/// HLEN take 4, so HDATA is at most 505 bytes and CM at most 505 − 128 = 377; a CREATED2 body spends 2 bytes on
/// HLEN, so a reply is at most 507 bytes and SM at most 507 − 64 = 443. EXTEND2 and EXTENDED2 carry less
/// (their link specifiers and relay message header share the cell); the circuit layer enforces those tighter
/// limits on what it sends. Thread-safe: an instance holds only immutable state.
/// </remarks>
public sealed class NtorV3Server
{
    /// <summary>Largest client handshake accepted: what fits a CREATE2 body (509 − HTYPE(2) − HLEN(2)).</summary>
    public const int MaxClientHandshakeLength = 505;

    /// <summary>Largest client message CM: <see cref="MaxClientHandshakeLength"/> − ID, B, X and MAC.</summary>
    public const int MaxClientMessageLength = MaxClientHandshakeLength - NtorV3Client.ClientOverhead;

    /// <summary>Largest server handshake accepted: what fits a CREATED2 body (509 − HLEN(2)).</summary>
    public const int MaxServerHandshakeLength = 507;

    /// <summary>Largest server message SM: <see cref="MaxServerHandshakeLength"/> − Y and AUTH.</summary>
    public const int MaxServerMessageLength = MaxServerHandshakeLength - NtorV3Client.ServerOverhead;

    private const int K = NtorV3Kdf.KeyLength;

    private readonly NtorV3Labels _labels;
    private readonly RelayId _identity;
    private readonly CircuitHandshakeKey _onionKey;
    private readonly CircuitHandshakeKey? _previousOnionKey;

    /// <summary>A relay answering handshakes for <paramref name="identity"/>.</summary>
    /// <param name="labels">PROTOID and verification string; clients must use the same.</param>
    /// <param name="identity">The relay's Ed25519 identity (ID).</param>
    /// <param name="onionKey">The current onion key pair (b, B). The caller keeps ownership.</param>
    /// <param name="previousOnionKey">The previous onion key, still accepted while clients' descriptors catch up.</param>
    public NtorV3Server(
        NtorV3Labels labels,
        RelayId identity,
        CircuitHandshakeKey onionKey,
        CircuitHandshakeKey? previousOnionKey = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(onionKey);
        _labels = labels;
        _identity = identity;
        _onionKey = onionKey;
        _previousOnionKey = previousOnionKey;
    }

    /// <summary>The labels this relay's handshakes use.</summary>
    public NtorV3Labels Labels => _labels;

    /// <summary>
    /// Checks a client handshake <c>ID | B | X | MSG | MAC</c>: that it is addressed to this relay's identity and
    /// one of its onion keys, that X is not of small order, and that the MAC verifies; then decrypts CM.
    /// Never throws on what the client sent. On failure <paramref name="request"/> is empty.
    /// </summary>
    public bool TryAccept(
        ReadOnlySpan<byte> clientHandshake,
        out NtorV3ServerRequest request,
        out NtorV3Error error)
    {
        request = default;
        if (clientHandshake.Length < NtorV3Client.ClientOverhead)
        {
            error = NtorV3Error.Truncated;
            return false;
        }

        if (clientHandshake.Length > MaxClientHandshakeLength)
        {
            error = NtorV3Error.Oversized;
            return false;
        }

        var id = clientHandshake[..K];
        var onionKeyB = clientHandshake.Slice(K, K);
        var clientX = clientHandshake.Slice(2 * K, K);
        var encryptedMessage = clientHandshake[(3 * K)..^K];
        var mac = clientHandshake[^K..];

        // ID and B are public: ordinary comparisons leak nothing.
        if (!id.SequenceEqual(_identity.Key.Bytes))
        {
            error = NtorV3Error.UnknownRelayIdentity;
            return false;
        }

        CircuitHandshakeKey keyPair;
        if (onionKeyB.SequenceEqual(_onionKey.PublicKey.Bytes))
        {
            keyPair = _onionKey;
        }
        else if (_previousOnionKey is not null && onionKeyB.SequenceEqual(_previousOnionKey.PublicKey.Bytes))
        {
            keyPair = _previousOnionKey;
        }
        else
        {
            error = NtorV3Error.UnknownOnionKey;
            return false;
        }

        // Built in place in the caller's frame, so that its secrets are never copied elsewhere on the stack.
        request = new NtorV3ServerRequest(_labels, keyPair, clientHandshake.Length - NtorV3Client.ClientOverhead);
        if (!request.TryOpen(id, onionKeyB, clientX, encryptedMessage, mac, out error))
        {
            request.Reject();
            request = default;
            return false;
        }

        return true;
    }
}

/// <summary>
/// A client handshake that <see cref="NtorV3Server.TryAccept"/> verified: the decrypted client message, and the
/// state needed to answer it once. End it with <see cref="Respond(ReadOnlySpan{byte}, Span{byte})"/> or
/// <see cref="Reject"/>; both wipe its secrets.
/// </summary>
/// <remarks>
/// A ref struct: its secret (the shared secret Xb) lives in the caller's stack frame, so a relay's handshakes
/// put no secret on the GC heap and nothing on the pinned heap. It deliberately has no <c>Dispose</c>: a
/// <c>using</c> statement would dispose a copy. Do not copy it; answer from the frame that accepted it (a relay
/// answers at once, on the thread that verified the request).
/// </remarks>
public ref struct NtorV3ServerRequest
{
    private const int K = NtorV3Kdf.KeyLength;

    private readonly NtorV3Labels? _labels;
    private readonly CircuitHandshakeKey? _onionKey;
    private readonly byte[] _clientMessage;

    // Xb | ID | B | X | MAC
    private RequestState _state;
    private bool _responded;
    private bool _rejected;

    internal NtorV3ServerRequest(NtorV3Labels labels, CircuitHandshakeKey onionKey, int clientMessageLength)
    {
        _labels = labels;
        _onionKey = onionKey;
        _clientMessage = clientMessageLength == 0 ? [] : new byte[clientMessageLength];
    }

    /// <summary>False for the empty value that a failed <see cref="NtorV3Server.TryAccept"/> leaves.</summary>
    public readonly bool IsAccepted => _labels is not null && !_rejected;

    /// <summary>CM, the client's decrypted message: in CREATE2 an encoded <see cref="NtorV3ExtensionList"/>. Wiped by <see cref="Reject"/>.</summary>
    public readonly ReadOnlySpan<byte> ClientMessage => _clientMessage;

    /// <summary>The onion key (B) the client addressed: the current or the previous one.</summary>
    public readonly CircuitHandshakePublicKey OnionKey =>
        _onionKey?.Public ?? throw new InvalidOperationException("No request was accepted.");

    [UnscopedRef]
    private Span<byte> SharedXb => ((Span<byte>)_state).Slice(0, K);

    [UnscopedRef]
    private Span<byte> RelayId => ((Span<byte>)_state).Slice(K, K);

    [UnscopedRef]
    private Span<byte> OnionKeyB => ((Span<byte>)_state).Slice(2 * K, K);

    [UnscopedRef]
    private Span<byte> ClientX => ((Span<byte>)_state).Slice(3 * K, K);

    [UnscopedRef]
    private Span<byte> MessageMac => ((Span<byte>)_state).Slice(4 * K, K);

    /// <summary>Length of a server handshake that carries a <paramref name="serverMessageLength"/>-byte message.</summary>
    public static int GetServerHandshakeLength(int serverMessageLength) => NtorV3Client.ServerOverhead + serverMessageLength;

    /// <summary>Parses <see cref="ClientMessage"/> as an extension list.</summary>
    public readonly bool TryGetClientExtensions(
        [NotNullWhen(true)] out NtorV3ExtensionList? extensions,
        out NtorV3ExtensionError error) =>
        NtorV3ExtensionList.TryParse(_clientMessage, out extensions, out error);

    /// <summary>
    /// Answers with <paramref name="serverMessage"/> (SM): writes <c>Y | AUTH | encrypted SM</c> to
    /// <paramref name="serverHandshake"/> and returns the key stream for the new circuit.
    /// </summary>
    /// <exception cref="ArgumentException">SM is over <see cref="NtorV3Server.MaxServerMessageLength"/> bytes or the destination is short.</exception>
    /// <exception cref="InvalidOperationException">Called a second time.</exception>
    public NtorKeyStreamReader Respond(scoped ReadOnlySpan<byte> serverMessage, scoped Span<byte> serverHandshake)
    {
        Span<byte> secretY = stackalloc byte[K];
        RandomNumberGenerator.Fill(secretY);
        try
        {
            return RespondCore(serverMessage, serverHandshake, secretY);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secretY);
        }
    }

    /// <summary>As <see cref="Respond(ReadOnlySpan{byte}, Span{byte})"/>, with SM the encoded <paramref name="extensions"/>.</summary>
    public NtorKeyStreamReader RespondWithExtensions(NtorV3ExtensionList extensions, scoped Span<byte> serverHandshake)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        Span<byte> message = stackalloc byte[extensions.EncodedLength];
        extensions.Encode(message);
        return Respond(message, serverHandshake);
    }

    /// <summary>
    /// TESTS ONLY: <see cref="Respond(ReadOnlySpan{byte}, Span{byte})"/> with a caller-chosen ephemeral secret y,
    /// to reproduce published vectors. Reusing y breaks forward secrecy; nothing outside the tests may call this.
    /// </summary>
    internal NtorKeyStreamReader RespondWithFixedEphemeralKeyForTestsOnly(
        scoped ReadOnlySpan<byte> serverMessage,
        scoped Span<byte> serverHandshake,
        scoped ReadOnlySpan<byte> fixedSecretY) =>
        RespondCore(serverMessage, serverHandshake, fixedSecretY);

    /// <summary>Refuses the request (for example, because its extensions are unacceptable): wipes the shared secret with the onion key and the client message.</summary>
    public void Reject()
    {
        CryptographicOperations.ZeroMemory(_state);
        if (_clientMessage is not null)
        {
            CryptographicOperations.ZeroMemory(_clientMessage);
        }

        _rejected = true;
    }

    internal bool TryOpen(
        scoped ReadOnlySpan<byte> id,
        scoped ReadOnlySpan<byte> onionKeyB,
        scoped ReadOnlySpan<byte> clientX,
        scoped ReadOnlySpan<byte> encryptedMessage,
        scoped ReadOnlySpan<byte> mac,
        out NtorV3Error error)
    {
        if (!_onionKey!.TryAgree(clientX, SharedXb))
        {
            error = NtorV3Error.LowOrderPoint;
            return false;
        }

        id.CopyTo(RelayId);
        onionKeyB.CopyTo(OnionKeyB);
        clientX.CopyTo(ClientX);
        mac.CopyTo(MessageMac);

        Span<byte> encK1 = stackalloc byte[K];
        Span<byte> macK1 = stackalloc byte[K];
        Span<byte> expectedMac = stackalloc byte[K];
        try
        {
            NtorV3Kdf.DerivePhase1Keys(_labels!, SharedXb, RelayId, ClientX, OnionKeyB, encK1, macK1);
            NtorV3Kdf.ComputeMessageMac(_labels!, macK1, RelayId, OnionKeyB, ClientX, encryptedMessage, expectedMac);
            if (!CryptographicOperations.FixedTimeEquals(expectedMac, mac))
            {
                error = NtorV3Error.BadMessageMac;
                return false;
            }

            encryptedMessage.CopyTo(_clientMessage);
            NtorV3Kdf.Encrypt(encK1, _clientMessage);
            error = NtorV3Error.None;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encK1);
            CryptographicOperations.ZeroMemory(macK1);
        }
    }

    private NtorKeyStreamReader RespondCore(scoped ReadOnlySpan<byte> serverMessage, scoped Span<byte> serverHandshake, scoped ReadOnlySpan<byte> secretY)
    {
        if (_rejected || _labels is null)
        {
            throw new InvalidOperationException("No accepted, undisposed request to answer.");
        }

        if (_responded)
        {
            throw new InvalidOperationException("An ntor v3 request is answered once.");
        }

        if (serverMessage.Length > NtorV3Server.MaxServerMessageLength)
        {
            throw new ArgumentException(
                $"An ntor v3 server message is at most {NtorV3Server.MaxServerMessageLength} bytes.", nameof(serverMessage));
        }

        var total = GetServerHandshakeLength(serverMessage.Length);
        if (serverHandshake.Length < total)
        {
            throw new ArgumentException($"The server handshake needs {total} bytes.", nameof(serverHandshake));
        }

        _responded = true;
        Span<byte> sharedXy = stackalloc byte[K];
        Span<byte> keySeed = stackalloc byte[K];
        Span<byte> verify = stackalloc byte[K];
        Span<byte> encKey = stackalloc byte[K];
        try
        {
            var serverY = serverHandshake[..K];
            X25519.DerivePublicKey(secretY, serverY);
            if (!X25519.TryAgree(secretY, ClientX, sharedXy))
            {
                // X·b was non-zero, and y is clamped like b, so X·y cannot be zero: this is a library fault.
                throw new CryptographicException("X25519 with the client's key failed after it had succeeded.");
            }

            NtorV3Kdf.DeriveKeySeedAndVerify(_labels, sharedXy, SharedXb, RelayId, OnionKeyB, ClientX, serverY, keySeed, verify);
            var keyStream = NtorV3Kdf.DeriveFinalKeys(_labels, keySeed, encKey);

            // Y | AUTH | MSG, where AUTH covers the encrypted MSG.
            var encrypted = serverHandshake.Slice(2 * K, serverMessage.Length);
            serverMessage.CopyTo(encrypted);
            NtorV3Kdf.Encrypt(encKey, encrypted);
            NtorV3Kdf.ComputeAuth(_labels, verify, RelayId, OnionKeyB, serverY, ClientX, MessageMac, encrypted, serverHandshake.Slice(K, K));
            return keyStream;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedXy);
            CryptographicOperations.ZeroMemory(keySeed);
            CryptographicOperations.ZeroMemory(verify);
            CryptographicOperations.ZeroMemory(encKey);
            CryptographicOperations.ZeroMemory(_state);
        }
    }
}

[InlineArray(5 * NtorV3Kdf.KeyLength)]
internal struct RequestState
{
    private byte _element;
}
