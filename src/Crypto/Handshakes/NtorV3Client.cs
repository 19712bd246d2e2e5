using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using HiddenPoint.Crypto.Interop;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The client side of one ntor v3 handshake (Tor proposal 332): <see cref="TryStart"/>
/// writes the CREATE2 handshake data <c>ID | B | X | encrypted CM | MAC</c> and keeps what is needed to check the
/// relay's reply; <see cref="TryFinish"/> checks <c>Y | AUTH | encrypted SM</c> and yields SM and the key stream.
/// </summary>
/// <remarks>
/// One instance serves one handshake: <see cref="TryFinish"/> may be called once, and the secrets are wiped
/// after it whatever its outcome. Dispose an instance whose reply never came.
/// </remarks>
public sealed class NtorV3Client : IDisposable
{
    /// <summary>Bytes of a client handshake besides the message: ID, B, X and MAC.</summary>
    public const int ClientOverhead = 4 * NtorV3Kdf.KeyLength;

    /// <summary>Bytes of a server handshake besides the message: Y and AUTH.</summary>
    public const int ServerOverhead = 2 * NtorV3Kdf.KeyLength;

    private const int K = NtorV3Kdf.KeyLength;

    private readonly NtorV3Labels _labels;

    // x | Bx | ID | B | X | msg_mac, pinned so that the GC never leaves copies of x and Bx behind.
    private readonly byte[] _state;
    private bool _finished;
    private bool _disposed;

    private NtorV3Client(NtorV3Labels labels)
    {
        _labels = labels;
        _state = GC.AllocateArray<byte>(6 * K, pinned: true);
    }

    private Span<byte> SecretX => _state.AsSpan(0, K);

    private Span<byte> SharedBx => _state.AsSpan(K, K);

    private Span<byte> RelayId => _state.AsSpan(2 * K, K);

    private Span<byte> OnionKeyB => _state.AsSpan(3 * K, K);

    private Span<byte> ClientX => _state.AsSpan(4 * K, K);

    private Span<byte> MessageMac => _state.AsSpan(5 * K, K);

    /// <summary>Length of the client handshake that carries a <paramref name="clientMessageLength"/>-byte message.</summary>
    public static int GetClientHandshakeLength(int clientMessageLength) => ClientOverhead + clientMessageLength;

    /// <summary>
    /// Begins a handshake with the relay whose identity is <paramref name="relayId"/> and whose onion key is
    /// <paramref name="onionKey"/>, sending <paramref name="clientMessage"/> encrypted to that key. Fails with
    /// <see cref="NtorV3Error.LowOrderPoint"/> when the onion key (from the relay's descriptor) has small order.
    /// </summary>
    /// <param name="labels">PROTOID and verification string; the relay must use the same.</param>
    /// <param name="relayId">The relay's Ed25519 identity (ID).</param>
    /// <param name="onionKey">The relay's ntor onion key (B), from its descriptor.</param>
    /// <param name="clientMessage">CM, at most <see cref="NtorV3Server.MaxClientMessageLength"/> bytes.</param>
    /// <param name="clientHandshake">Receives exactly <see cref="GetClientHandshakeLength"/> bytes.</param>
    /// <param name="client">The state that checks the relay's reply.</param>
    /// <param name="error">Why the handshake could not start.</param>
    /// <exception cref="ArgumentException">The message is too long or the destination too short.</exception>
    public static bool TryStart(
        NtorV3Labels labels,
        RelayId relayId,
        CircuitHandshakePublicKey onionKey,
        ReadOnlySpan<byte> clientMessage,
        Span<byte> clientHandshake,
        [NotNullWhen(true)] out NtorV3Client? client,
        out NtorV3Error error)
    {
        Span<byte> secretX = stackalloc byte[K];
        RandomNumberGenerator.Fill(secretX);
        try
        {
            return TryStartCore(labels, relayId, onionKey, clientMessage, clientHandshake, secretX, out client, out error);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secretX);
        }
    }

    /// <summary>As <see cref="TryStart"/>, with CM the encoded <paramref name="extensions"/>.</summary>
    public static bool TryStartWithExtensions(
        NtorV3Labels labels,
        RelayId relayId,
        CircuitHandshakePublicKey onionKey,
        NtorV3ExtensionList extensions,
        Span<byte> clientHandshake,
        [NotNullWhen(true)] out NtorV3Client? client,
        out NtorV3Error error)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        Span<byte> message = stackalloc byte[extensions.EncodedLength];
        extensions.Encode(message);
        return TryStart(labels, relayId, onionKey, message, clientHandshake, out client, out error);
    }

    /// <summary>
    /// TESTS ONLY: <see cref="TryStart"/> with a caller-chosen ephemeral secret x, to reproduce published vectors.
    /// Reusing x breaks the handshake's security; nothing outside the tests and benchmarks may call this.
    /// </summary>
    internal static NtorV3Client StartWithFixedEphemeralKeyForTestsOnly(
        NtorV3Labels labels,
        RelayId relayId,
        CircuitHandshakePublicKey onionKey,
        ReadOnlySpan<byte> clientMessage,
        Span<byte> clientHandshake,
        ReadOnlySpan<byte> fixedSecretX) =>
        TryStartCore(labels, relayId, onionKey, clientMessage, clientHandshake, fixedSecretX, out var client, out var error)
            ? client
            : throw new CryptographicException(error.ToString());

    /// <summary>
    /// Checks the relay's reply <c>Y | AUTH | MSG</c>. On success returns the decrypted server message SM and the
    /// key stream from which the circuit's keys are read; otherwise the reason, and the circuit must be closed.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called a second time.</exception>
    public bool TryFinish(
        ReadOnlySpan<byte> serverHandshake,
        [NotNullWhen(true)] out NtorKeyStreamReader? keyStream,
        out byte[] serverMessage,
        out NtorV3Error error)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
        {
            throw new InvalidOperationException("An ntor v3 client state serves one handshake.");
        }

        _finished = true;
        keyStream = null;
        serverMessage = [];
        try
        {
            return TryFinishCore(serverHandshake, out keyStream, out serverMessage, out error);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(_state);
        }
    }

    /// <summary>Wipes the ephemeral secret and the shared secret with the onion key.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_state);
        _disposed = true;
    }

    private static bool TryStartCore(
        NtorV3Labels labels,
        RelayId relayId,
        CircuitHandshakePublicKey onionKey,
        ReadOnlySpan<byte> clientMessage,
        Span<byte> clientHandshake,
        ReadOnlySpan<byte> secretX,
        [NotNullWhen(true)] out NtorV3Client? client,
        out NtorV3Error error)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (clientMessage.Length > NtorV3Server.MaxClientMessageLength)
        {
            throw new ArgumentException(
                $"An ntor v3 client message is at most {NtorV3Server.MaxClientMessageLength} bytes.", nameof(clientMessage));
        }

        var total = GetClientHandshakeLength(clientMessage.Length);
        if (clientHandshake.Length < total)
        {
            throw new ArgumentException($"The client handshake needs {total} bytes.", nameof(clientHandshake));
        }

        var started = new NtorV3Client(labels);
        try
        {
            secretX.CopyTo(started.SecretX);
            X25519.DerivePublicKey(secretX, started.ClientX);
            relayId.Key.Bytes.CopyTo(started.RelayId);
            onionKey.Key.Bytes.CopyTo(started.OnionKeyB);
            if (!X25519.TryAgree(secretX, onionKey.Key.Bytes, started.SharedBx))
            {
                started.Dispose();
                client = null;
                error = NtorV3Error.LowOrderPoint;
                return false;
            }

            Span<byte> encK1 = stackalloc byte[K];
            Span<byte> macK1 = stackalloc byte[K];
            NtorV3Kdf.DerivePhase1Keys(labels, started.SharedBx, started.RelayId, started.ClientX, started.OnionKeyB, encK1, macK1);

            // NODEID | KEYID | CLIENT_PK | MSG | MAC
            started.RelayId.CopyTo(clientHandshake);
            started.OnionKeyB.CopyTo(clientHandshake[K..]);
            started.ClientX.CopyTo(clientHandshake[(2 * K)..]);
            var encrypted = clientHandshake.Slice(3 * K, clientMessage.Length);
            clientMessage.CopyTo(encrypted);
            NtorV3Kdf.Encrypt(encK1, encrypted);
            NtorV3Kdf.ComputeMessageMac(labels, macK1, started.RelayId, started.OnionKeyB, started.ClientX, encrypted, started.MessageMac);
            started.MessageMac.CopyTo(clientHandshake[(3 * K + clientMessage.Length)..]);

            CryptographicOperations.ZeroMemory(encK1);
            CryptographicOperations.ZeroMemory(macK1);
            client = started;
            error = NtorV3Error.None;
            return true;
        }
        catch
        {
            started.Dispose();
            throw;
        }
    }

    private bool TryFinishCore(
        ReadOnlySpan<byte> serverHandshake,
        out NtorKeyStreamReader? keyStream,
        out byte[] serverMessage,
        out NtorV3Error error)
    {
        keyStream = null;
        serverMessage = [];
        if (serverHandshake.Length < ServerOverhead)
        {
            error = NtorV3Error.Truncated;
            return false;
        }

        if (serverHandshake.Length > NtorV3Server.MaxServerHandshakeLength)
        {
            error = NtorV3Error.Oversized;
            return false;
        }

        var serverY = serverHandshake[..K];
        var auth = serverHandshake.Slice(K, K);
        var encryptedMessage = serverHandshake[(2 * K)..];

        Span<byte> sharedYx = stackalloc byte[K];
        Span<byte> keySeed = stackalloc byte[K];
        Span<byte> verify = stackalloc byte[K];
        Span<byte> expectedAuth = stackalloc byte[K];
        Span<byte> encKey = stackalloc byte[K];
        try
        {
            if (!X25519.TryAgree(SecretX, serverY, sharedYx))
            {
                error = NtorV3Error.LowOrderPoint;
                return false;
            }

            NtorV3Kdf.DeriveKeySeedAndVerify(_labels, sharedYx, SharedBx, RelayId, OnionKeyB, ClientX, serverY, keySeed, verify);
            NtorV3Kdf.ComputeAuth(_labels, verify, RelayId, OnionKeyB, serverY, ClientX, MessageMac, encryptedMessage, expectedAuth);
            if (!CryptographicOperations.FixedTimeEquals(expectedAuth, auth))
            {
                error = NtorV3Error.BadAuth;
                return false;
            }

            var stream = NtorV3Kdf.DeriveFinalKeys(_labels, keySeed, encKey);
            serverMessage = encryptedMessage.ToArray();
            NtorV3Kdf.Encrypt(encKey, serverMessage);
            keyStream = stream;
            error = NtorV3Error.None;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedYx);
            CryptographicOperations.ZeroMemory(keySeed);
            CryptographicOperations.ZeroMemory(verify);
            CryptographicOperations.ZeroMemory(encKey);
        }
    }
}
