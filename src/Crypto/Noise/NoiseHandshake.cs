using System.Security.Cryptography;
using HiddenPoint.Crypto.Interop;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Noise;

/// <summary>
/// One side of a Noise handshake: the HandshakeState of Noise revision 34, §5.3, with 25519 and SHA256. Pure: it
/// turns payloads into handshake messages and back, and never touches a socket.
/// </summary>
/// <remarks>
/// <para>Use: create with <see cref="CreateInitiator"/> or <see cref="CreateResponder"/>; while
/// <see cref="IsComplete"/> is false, call <see cref="WriteMessage"/> when <see cref="IsMyTurnToWrite"/> and
/// <see cref="ReadMessage"/> otherwise; then <see cref="Split"/> once for the transport cipher states.</para>
/// <para>Bytes from the peer never raise an exception: <see cref="ReadMessage"/> returns a <see cref="NoiseError"/>.
/// After any error other than <see cref="NoiseError.WrongState"/>, <see cref="NoiseError.BufferTooSmall"/> and
/// <see cref="NoiseError.PayloadTooLarge"/> (which change nothing), the handshake has failed for good: every later
/// call returns <see cref="NoiseError.WrongState"/>, and the link must be closed.</para>
/// <para>Handshake payloads before the first DH token travel in clear (none in NK or XK), and the NK first message's
/// payload is not forward-secret; HiddenPoint's links send empty handshake payloads.</para>
/// </remarks>
public sealed class NoiseHandshake : IDisposable
{
    /// <summary>Noise's bound on a handshake message (§3).</summary>
    public const int MaxMessageLength = NoiseConstants.MaxMessageLength;

    private readonly NoiseProtocol _protocol;
    private readonly NoiseRole _role;
    private readonly SymmetricState _symmetric;
    private readonly X25519SecretKey? _localStatic;

    // The ephemeral secret outlives one call, so it cannot stay on the stack: a pinned array is never moved (and so
    // never copied) by the GC, and is zeroed as soon as the last DH is done.
    private readonly byte[] _localEphemeral = GC.AllocateUninitializedArray<byte>(NoiseConstants.DhLength, pinned: true);
    private bool _hasLocalEphemeral;
    private X25519PublicKey? _remoteStatic;
    private X25519PublicKey? _remoteEphemeral;
    private int _messageIndex;
    private Status _status;

    private NoiseHandshake(
        NoiseProtocol protocol,
        NoiseRole role,
        ReadOnlySpan<byte> prologue,
        X25519SecretKey? localStatic,
        X25519PublicKey? remoteStatic,
        ReadOnlySpan<byte> fixedEphemeral,
        bool useFixedEphemeral)
    {
        _protocol = protocol;
        _role = role;
        _localStatic = localStatic;
        _remoteStatic = remoteStatic;
        if (useFixedEphemeral)
        {
            fixedEphemeral.CopyTo(_localEphemeral);
            _hasLocalEphemeral = true;
        }

        _symmetric = new SymmetricState(protocol);
        _symmetric.MixHash(prologue);

        // Pre-messages: the keys known in advance enter h in pattern order, initiator's first.
        var pattern = protocol.Pattern;
        MixPreMessage(pattern.InitiatorPreMessage, ownedByThisSide: role == NoiseRole.Initiator);
        MixPreMessage(pattern.ResponderPreMessage, ownedByThisSide: role == NoiseRole.Responder);
    }

    private enum Status
    {
        InProgress,
        Complete,
        Split,
        Failed,
        Disposed,
    }

    /// <summary>The protocol this handshake runs.</summary>
    public NoiseProtocol Protocol => _protocol;

    /// <summary>This side's role.</summary>
    public NoiseRole Role => _role;

    /// <summary>True once every handshake message has been written or read successfully.</summary>
    public bool IsComplete => _status is Status.Complete or Status.Split;

    /// <summary>True after an error that ends the handshake (see the remarks on <see cref="NoiseHandshake"/>).</summary>
    public bool HasFailed => _status == Status.Failed;

    /// <summary>True when the next step is <see cref="WriteMessage"/>; false when it is <see cref="ReadMessage"/>.</summary>
    public bool IsMyTurnToWrite => _status == Status.InProgress && (_messageIndex % 2 == 0) == (_role == NoiseRole.Initiator);

    /// <summary>
    /// The peer's static X25519 key: given up front to an NK or XK initiator; learned by an XK responder from the
    /// third message, once that message has been read successfully (null before, and null if it failed); null for NK
    /// responders and NN.
    /// </summary>
    public X25519PublicKey? RemoteStaticKey => _remoteStatic;

    /// <summary>
    /// The handshake hash <c>h</c> for channel binding, once the handshake is complete (also on
    /// <see cref="NoiseTransport.HandshakeHash"/> after <see cref="Split"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The handshake is not complete, or was split.</exception>
    public ReadOnlySpan<byte> HandshakeHash => _status == Status.Complete
        ? _symmetric.HandshakeHash
        : throw new InvalidOperationException("The handshake hash is available once the handshake is complete.");

    /// <summary>
    /// Starts the initiator's side. <paramref name="localStatic"/> is needed when the pattern sends the initiator's
    /// static key (XK); <paramref name="remoteStatic"/> when the initiator must know the responder's key in advance
    /// (NK, XK: the relay's link key from its descriptor). A key the pattern does not use is refused, so a
    /// configuration mistake cannot pass unnoticed. The caller keeps ownership of <paramref name="localStatic"/> and
    /// must not dispose it before the handshake ends.
    /// </summary>
    /// <param name="protocol">Which Noise protocol to run.</param>
    /// <param name="prologue">Bytes both sides must agree on; HiddenPoint links use <see cref="NoisePrologues.HpcLink"/>.</param>
    /// <param name="localStatic">This side's static X25519 key (a relay's <see cref="LinkKey"/>), if the pattern has one.</param>
    /// <param name="remoteStatic">The responder's static X25519 public key, if the pattern pre-shares it.</param>
    /// <exception cref="ArgumentException">A key is missing or superfluous.</exception>
    public static NoiseHandshake CreateInitiator(
        NoiseProtocol protocol,
        ReadOnlySpan<byte> prologue,
        X25519SecretKey? localStatic = null,
        X25519PublicKey? remoteStatic = null) =>
        Create(protocol, NoiseRole.Initiator, prologue, localStatic, remoteStatic, fixedEphemeral: default, useFixedEphemeral: false);

    /// <summary>
    /// Starts the responder's side. <paramref name="localStatic"/> is the relay's link key for NK and XK; the
    /// responder is never given the initiator's key for these patterns (XK reveals it in the third message).
    /// </summary>
    /// <inheritdoc cref="CreateInitiator" path="/param"/>
    /// <exception cref="ArgumentException">A key is missing or superfluous.</exception>
    public static NoiseHandshake CreateResponder(
        NoiseProtocol protocol,
        ReadOnlySpan<byte> prologue,
        X25519SecretKey? localStatic = null,
        X25519PublicKey? remoteStatic = null) =>
        Create(protocol, NoiseRole.Responder, prologue, localStatic, remoteStatic, fixedEphemeral: default, useFixedEphemeral: false);

    /// <summary>
    /// TESTS ONLY. Starts a handshake whose ephemeral key is the given private key instead of a fresh random one, so
    /// that published vectors can be reproduced. A fixed ephemeral key destroys the handshake's security; nothing
    /// outside tests and benchmarks may call this.
    /// </summary>
    internal static NoiseHandshake CreateWithFixedEphemeralForTestsOnly(
        NoiseProtocol protocol,
        NoiseRole role,
        ReadOnlySpan<byte> prologue,
        X25519SecretKey? localStatic,
        X25519PublicKey? remoteStatic,
        ReadOnlySpan<byte> ephemeralPrivateKey) =>
        Create(protocol, role, prologue, localStatic, remoteStatic, ephemeralPrivateKey, useFixedEphemeral: true);

    /// <summary>The length of the next handshake message (either direction) for a payload of the given length.</summary>
    /// <exception cref="InvalidOperationException">No message remains.</exception>
    public int GetNextMessageLength(int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        if (_status != Status.InProgress)
        {
            throw new InvalidOperationException("The handshake has no further message.");
        }

        return _protocol.Pattern.MessageOverheads[_messageIndex] + payloadLength;
    }

    /// <summary>
    /// Writes the next handshake message, carrying <paramref name="payload"/>, into <paramref name="message"/>.
    /// </summary>
    /// <param name="payload">Bytes to send inside the message (encrypted once a key exists).</param>
    /// <param name="message">Receives the message; at least <see cref="GetNextMessageLength"/> bytes, not overlapping
    /// <paramref name="payload"/>.</param>
    /// <param name="written">Bytes written to <paramref name="message"/>.</param>
    /// <returns><see cref="NoiseError.None"/>; <see cref="NoiseError.WrongState"/> when it is not this side's turn or
    /// the handshake is over; <see cref="NoiseError.PayloadTooLarge"/> when the message would exceed 65535 bytes;
    /// <see cref="NoiseError.LowOrderPoint"/> when a DH with the peer's key is degenerate (the handshake fails).</returns>
    /// <exception cref="ArgumentException"><paramref name="message"/> is too small or overlaps <paramref name="payload"/>.</exception>
    public NoiseError WriteMessage(ReadOnlySpan<byte> payload, Span<byte> message, out int written)
    {
        written = 0;
        if (!IsMyTurnToWrite)
        {
            return NoiseError.WrongState;
        }

        var overhead = _protocol.Pattern.MessageOverheads[_messageIndex];
        if (payload.Length > MaxMessageLength - overhead)
        {
            return NoiseError.PayloadTooLarge;
        }

        var length = overhead + payload.Length;
        if (message.Length < length)
        {
            throw new ArgumentException($"The message buffer needs {length} bytes.", nameof(message));
        }

        if (payload.Overlaps(message))
        {
            throw new ArgumentException("The payload and message buffers must not overlap.", nameof(message));
        }

        var error = WriteTokensAndPayload(payload, message[..length]);
        if (error != NoiseError.None)
        {
            message[..length].Clear();
            Fail();
            return error;
        }

        written = length;
        Advance();
        return NoiseError.None;
    }

    /// <summary>
    /// Reads the next handshake message from the peer and writes its payload into <paramref name="payload"/>.
    /// Every failure caused by the message's bytes is a returned error, never an exception.
    /// </summary>
    /// <param name="message">The whole message as received (its framing already removed).</param>
    /// <param name="payload">Receives the payload; <c>message.Length</c> bytes always suffice. Must not overlap
    /// <paramref name="message"/>.</param>
    /// <param name="payloadLength">Bytes written to <paramref name="payload"/>.</param>
    /// <returns><see cref="NoiseError.None"/>; otherwise <see cref="NoiseError.DecryptFailed"/>,
    /// <see cref="NoiseError.Truncated"/>, <see cref="NoiseError.MessageTooLarge"/>,
    /// <see cref="NoiseError.LowOrderPoint"/> (all fatal), <see cref="NoiseError.WrongState"/> or
    /// <see cref="NoiseError.BufferTooSmall"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="payload"/> overlaps <paramref name="message"/>.</exception>
    public NoiseError ReadMessage(ReadOnlySpan<byte> message, Span<byte> payload, out int payloadLength)
    {
        payloadLength = 0;
        if (_status != Status.InProgress || IsMyTurnToWrite)
        {
            return NoiseError.WrongState;
        }

        if (message.Length > MaxMessageLength)
        {
            Fail();
            return NoiseError.MessageTooLarge;
        }

        var overhead = _protocol.Pattern.MessageOverheads[_messageIndex];
        if (message.Length < overhead)
        {
            Fail();
            return NoiseError.Truncated;
        }

        var length = message.Length - overhead;
        if (payload.Length < length)
        {
            return NoiseError.BufferTooSmall;
        }

        if (message.Overlaps(payload))
        {
            throw new ArgumentException("The payload and message buffers must not overlap.", nameof(payload));
        }

        var error = ReadTokensAndPayload(message, payload[..length]);
        if (error != NoiseError.None)
        {
            payload[..length].Clear();
            Fail();
            return error;
        }

        payloadLength = length;
        Advance();
        return NoiseError.None;
    }

    /// <summary>
    /// Derives the transport cipher states (Split, §5.2) once the handshake is complete. Callable once; the handshake's
    /// own secrets are erased.
    /// </summary>
    /// <exception cref="InvalidOperationException">The handshake is not complete, or was already split.</exception>
    public NoiseTransport Split()
    {
        if (_status != Status.Complete)
        {
            throw new InvalidOperationException("Split needs a complete handshake, and only once.");
        }

        var (initiatorToResponder, responderToInitiator) = _symmetric.Split();
        var transport = _role == NoiseRole.Initiator
            ? new NoiseTransport(_protocol, _role, initiatorToResponder, responderToInitiator, _symmetric.HandshakeHash, _remoteStatic)
            : new NoiseTransport(_protocol, _role, responderToInitiator, initiatorToResponder, _symmetric.HandshakeHash, _remoteStatic);
        _status = Status.Split;
        _symmetric.Dispose();
        return transport;
    }

    /// <summary>Erases the handshake's secrets. The caller's static key is not disposed.</summary>
    public void Dispose()
    {
        if (_status != Status.Split)
        {
            _symmetric.Dispose();
        }

        _status = Status.Disposed;
        DisposeEphemeral();
    }

    private static NoiseHandshake Create(
        NoiseProtocol protocol,
        NoiseRole role,
        ReadOnlySpan<byte> prologue,
        X25519SecretKey? localStatic,
        X25519PublicKey? remoteStatic,
        ReadOnlySpan<byte> fixedEphemeral,
        bool useFixedEphemeral)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var pattern = protocol.Pattern;
        var initiator = role == NoiseRole.Initiator;
        CheckKey(localStatic is not null, initiator ? pattern.InitiatorNeedsLocalStatic : pattern.ResponderNeedsLocalStatic, nameof(localStatic), protocol);
        CheckKey(remoteStatic is not null, initiator ? pattern.InitiatorNeedsRemoteStatic : pattern.ResponderNeedsRemoteStatic, nameof(remoteStatic), protocol);
        if (useFixedEphemeral && fixedEphemeral.Length != NoiseConstants.DhLength)
        {
            throw new ArgumentException($"An X25519 secret key is {NoiseConstants.DhLength} bytes.", nameof(fixedEphemeral));
        }

        return new NoiseHandshake(protocol, role, prologue, localStatic, remoteStatic, fixedEphemeral, useFixedEphemeral);
    }

    private static void CheckKey(bool present, bool needed, string parameterName, NoiseProtocol protocol)
    {
        if (needed && !present)
        {
            throw new ArgumentException($"{protocol.Name} needs this key for this role.", parameterName);
        }

        if (!needed && present)
        {
            throw new ArgumentException($"{protocol.Name} does not use this key for this role.", parameterName);
        }
    }

    private void MixPreMessage(System.Collections.Immutable.ImmutableArray<NoiseToken> tokens, bool ownedByThisSide)
    {
        foreach (var token in tokens)
        {
            // The defined patterns pre-share only static keys.
            var key = token == NoiseToken.S
                ? (ownedByThisSide ? _localStatic!.PublicKey : _remoteStatic!.Value)
                : throw new InvalidOperationException($"Pre-message token {token} is not supported.");
            _symmetric.MixHash(key.Bytes);
        }
    }

    private NoiseError WriteTokensAndPayload(ReadOnlySpan<byte> payload, Span<byte> message)
    {
        var offset = 0;
        foreach (var token in _protocol.Pattern.Messages[_messageIndex])
        {
            NoiseError error;
            switch (token)
            {
                case NoiseToken.E:
                    if (!_hasLocalEphemeral)
                    {
                        RandomNumberGenerator.Fill(_localEphemeral);
                        _hasLocalEphemeral = true;
                    }

                    var ephemeralPublic = message.Slice(offset, NoiseConstants.DhLength);
                    X25519.DerivePublicKey(_localEphemeral, ephemeralPublic);
                    _symmetric.MixHash(ephemeralPublic);
                    offset += NoiseConstants.DhLength;
                    continue;
                case NoiseToken.S:
                    var sealedLength = NoiseConstants.DhLength + (_symmetric.HasKey ? NoiseConstants.TagLength : 0);
                    error = _symmetric.EncryptAndHash(_localStatic!.PublicKeyBytes, message.Slice(offset, sealedLength));
                    offset += sealedLength;
                    break;
                default:
                    error = MixDh(token);
                    break;
            }

            if (error != NoiseError.None)
            {
                return error;
            }
        }

        return _symmetric.EncryptAndHash(payload, message[offset..]);
    }

    private NoiseError ReadTokensAndPayload(ReadOnlySpan<byte> message, Span<byte> payload)
    {
        // Lengths were checked against the pattern's overhead, so every slice below is in range.
        Span<byte> staticPublic = stackalloc byte[NoiseConstants.DhLength];
        var offset = 0;
        foreach (var token in _protocol.Pattern.Messages[_messageIndex])
        {
            NoiseError error;
            switch (token)
            {
                case NoiseToken.E:
                    var ephemeralPublic = message.Slice(offset, NoiseConstants.DhLength);
                    offset += NoiseConstants.DhLength;

                    // Any 32 bytes are a u-coordinate; a point of small order is caught by the DH that uses it.
                    _symmetric.MixHash(ephemeralPublic);
                    _remoteEphemeral = X25519PublicKey.FromBytes(ephemeralPublic);
                    continue;
                case NoiseToken.S:
                    var sealedLength = NoiseConstants.DhLength + (_symmetric.HasKey ? NoiseConstants.TagLength : 0);
                    error = _symmetric.DecryptAndHash(message.Slice(offset, sealedLength), staticPublic);
                    offset += sealedLength;
                    if (error == NoiseError.None)
                    {
                        _remoteStatic = X25519PublicKey.FromBytes(staticPublic);
                    }

                    break;
                default:
                    error = MixDh(token);
                    break;
            }

            if (error != NoiseError.None)
            {
                return error;
            }
        }

        return _symmetric.DecryptAndHash(message[offset..], payload);
    }

    /// <summary>
    /// MixKey(DH(...)) for a DH token. Token names read initiator-first (<c>es</c> = initiator's e with responder's s),
    /// so which local and remote key enter depends on the role.
    /// </summary>
    private NoiseError MixDh(NoiseToken token)
    {
        var initiator = _role == NoiseRole.Initiator;
        var (localIsStatic, remote) = token switch
        {
            NoiseToken.EE => (false, _remoteEphemeral),
            NoiseToken.ES => initiator ? (false, _remoteStatic) : (true, _remoteEphemeral),
            NoiseToken.SE => initiator ? (true, _remoteEphemeral) : (false, _remoteStatic),
            NoiseToken.SS => (true, _remoteStatic),
            _ => throw new InvalidOperationException($"Token {token} is not a DH token."),
        };
        if (remote is not { } remoteKey || (localIsStatic ? _localStatic is null : !_hasLocalEphemeral))
        {
            // Only a malformed pattern definition can get here; no peer input can.
            throw new InvalidOperationException($"The pattern uses {token} before both keys are known.");
        }

        Span<byte> sharedSecret = stackalloc byte[NoiseConstants.DhLength];
        try
        {
            var agreed = localIsStatic
                ? _localStatic!.TryAgree(remoteKey.Bytes, sharedSecret)
                : X25519.TryAgree(_localEphemeral, remoteKey.Bytes, sharedSecret);
            if (!agreed)
            {
                // libsodium refuses an all-zero result: the peer's key is of small order.
                return NoiseError.LowOrderPoint;
            }

            _symmetric.MixKey(sharedSecret);
            return NoiseError.None;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    private void Advance()
    {
        _messageIndex++;
        if (_messageIndex == _protocol.Pattern.MessageCount)
        {
            _status = Status.Complete;

            // Every DH is done: drop the ephemeral key now, not when the link closes (forward secrecy).
            DisposeEphemeral();
        }
    }

    private void Fail()
    {
        _status = Status.Failed;

        // A static key decrypted from a message that then failed was never proven (its DH and tag did not verify):
        // it must not be mistaken for the peer's identity.
        if (!(_role == NoiseRole.Initiator ? _protocol.Pattern.InitiatorNeedsRemoteStatic : _protocol.Pattern.ResponderNeedsRemoteStatic))
        {
            _remoteStatic = null;
        }

        _symmetric.Dispose();
        DisposeEphemeral();
    }

    private void DisposeEphemeral()
    {
        CryptographicOperations.ZeroMemory(_localEphemeral);
        _hasLocalEphemeral = false;
        _remoteEphemeral = null;
    }
}
