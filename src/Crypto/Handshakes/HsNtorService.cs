using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Interop;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The hidden point's side of hs_ntor (rend-spec-v3 §3.3) for one introduction point and one subcredential:
/// opens INTRODUCE2's encrypted section (<see cref="TryOpenIntroduce"/>) and then answers in RENDEZVOUS1
/// (<see cref="HsNtorIntroduction.Respond"/>). Thread-safe: it holds only immutable state.
/// </summary>
public sealed class HsNtorService
{
    private const int K = HsNtorKdf.KeyLength;

    private readonly HsNtorLabels _labels;
    private readonly HsIntroEncryptionKey _introEncryptionKey;
    private readonly HsIntroAuthKey _authKey;
    private readonly Subcredential _subcredential;

    /// <summary>A service for the introduction point with these keys, in the period of <paramref name="subcredential"/>.</summary>
    /// <param name="labels">PROTOID; clients must use the same.</param>
    /// <param name="introEncryptionKey">KS_hss_ntor / KP_hss_ntor (b, B). The caller keeps ownership.</param>
    /// <param name="authKey">KP_hs_ipt_sid (AUTH_KEY).</param>
    /// <param name="subcredential">N_hs_subcred for the descriptor the client used.</param>
    public HsNtorService(
        HsNtorLabels labels,
        HsIntroEncryptionKey introEncryptionKey,
        HsIntroAuthKey authKey,
        Subcredential subcredential)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(introEncryptionKey);
        ArgumentNullException.ThrowIfNull(subcredential);
        _labels = labels;
        _introEncryptionKey = introEncryptionKey;
        _authKey = authKey;
        _subcredential = subcredential;
    }

    /// <summary>
    /// Checks and decrypts INTRODUCE2's encrypted section <c>X | ENCRYPTED | MAC</c>, where <paramref name="header"/>
    /// is everything before it. Never throws on what the client sent.
    /// </summary>
    public bool TryOpenIntroduce(
        ReadOnlySpan<byte> header,
        ReadOnlySpan<byte> encryptedSection,
        [NotNullWhen(true)] out HsNtorIntroduction? introduction,
        out HsNtorError error)
    {
        introduction = null;
        if (encryptedSection.Length < HsNtorClient.EncryptedSectionOverhead)
        {
            error = HsNtorError.Truncated;
            return false;
        }

        var clientX = encryptedSection[..K];
        var ciphertext = encryptedSection[K..^K];
        var mac = encryptedSection[^K..];

        var opened = new HsNtorIntroduction(_labels, _introEncryptionKey, _authKey, clientX, ciphertext.Length);
        Span<byte> encKey = stackalloc byte[K];
        Span<byte> macKey = stackalloc byte[K];
        Span<byte> expectedMac = stackalloc byte[K];
        try
        {
            if (!opened.TryAgreeIntro())
            {
                opened.Dispose();
                error = HsNtorError.LowOrderPoint;
                return false;
            }

            HsNtorKdf.DeriveIntroKeys(
                _labels, opened.SharedXb, _authKey.Key.Bytes, clientX, _introEncryptionKey.PublicKey.Bytes, _subcredential.Bytes, encKey, macKey);
            HsNtorKdf.Mac(macKey, header, clientX, ciphertext, expectedMac);
            if (!CryptographicOperations.FixedTimeEquals(expectedMac, mac))
            {
                opened.Dispose();
                error = HsNtorError.BadMac;
                return false;
            }

            opened.SetPlaintext(encKey, ciphertext);
            introduction = opened;
            error = HsNtorError.None;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encKey);
            CryptographicOperations.ZeroMemory(macKey);
        }
    }
}

/// <summary>
/// An INTRODUCE2 whose MAC verified: the decrypted plaintext, and the state to answer it once in RENDEZVOUS1.
/// Dispose it if the introduction is refused (for example, a replay).
/// </summary>
public sealed class HsNtorIntroduction : IDisposable
{
    /// <summary>Length of RENDEZVOUS1's HANDSHAKE_INFO: SERVER_PK (Y) and AUTH_INPUT_MAC.</summary>
    public const int HandshakeInfoLength = HsNtorClient.HandshakeInfoLength;

    private const int K = HsNtorKdf.KeyLength;

    private readonly HsNtorLabels _labels;
    private readonly HsIntroEncryptionKey _introEncryptionKey;
    private readonly HsIntroAuthKey _authKey;

    // EXP(X,b) | X
    private readonly byte[] _state;
    private readonly byte[] _plaintext;
    private bool _responded;
    private bool _disposed;

    internal HsNtorIntroduction(
        HsNtorLabels labels,
        HsIntroEncryptionKey introEncryptionKey,
        HsIntroAuthKey authKey,
        ReadOnlySpan<byte> clientX,
        int plaintextLength)
    {
        _labels = labels;
        _introEncryptionKey = introEncryptionKey;
        _authKey = authKey;
        _state = GC.AllocateArray<byte>(2 * K, pinned: true);
        clientX.CopyTo(ClientX);
        _plaintext = plaintextLength == 0 ? [] : GC.AllocateArray<byte>(plaintextLength, pinned: true);
    }

    /// <summary>The decrypted plaintext of the encrypted section (rendezvous cookie, extensions, onion key, link specifiers).</summary>
    public ReadOnlySpan<byte> Plaintext => _plaintext;

    /// <summary>CLIENT_PK (X); the replay cache keys on it.</summary>
    public X25519PublicKey ClientPublicKey => X25519PublicKey.FromBytes(ClientX);

    internal Span<byte> SharedXb => _state.AsSpan(0, K);

    private Span<byte> ClientX => _state.AsSpan(K, K);

    /// <summary>
    /// Writes RENDEZVOUS1's HANDSHAKE_INFO <c>Y | AUTH_INPUT_MAC</c> (64 bytes) and returns the circuit key stream
    /// SHAKE-256(NTOR_KEY_SEED | m_hsexpand).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="handshakeInfo"/> is shorter than 64 bytes.</exception>
    /// <exception cref="InvalidOperationException">Called a second time.</exception>
    public NtorKeyStreamReader Respond(Span<byte> handshakeInfo)
    {
        Span<byte> secretY = stackalloc byte[K];
        RandomNumberGenerator.Fill(secretY);
        try
        {
            return RespondCore(handshakeInfo, secretY);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secretY);
        }
    }

    /// <summary>
    /// TESTS ONLY: <see cref="Respond"/> with a caller-chosen ephemeral secret y, to reproduce published vectors.
    /// Reusing y breaks forward secrecy; nothing outside the tests may call this.
    /// </summary>
    internal NtorKeyStreamReader RespondWithFixedEphemeralKeyForTestsOnly(Span<byte> handshakeInfo, ReadOnlySpan<byte> fixedSecretY) =>
        RespondCore(handshakeInfo, fixedSecretY);

    /// <summary>Wipes the shared secret and the plaintext.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_state);
        CryptographicOperations.ZeroMemory(_plaintext);
        _disposed = true;
    }

    internal bool TryAgreeIntro() => _introEncryptionKey.TryAgree(ClientX, SharedXb);

    internal void SetPlaintext(ReadOnlySpan<byte> encKey, ReadOnlySpan<byte> ciphertext)
    {
        ciphertext.CopyTo(_plaintext);
        HsNtorKdf.Encrypt(encKey, _plaintext);
    }

    private NtorKeyStreamReader RespondCore(Span<byte> handshakeInfo, ReadOnlySpan<byte> secretY)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_responded)
        {
            throw new InvalidOperationException("An hs_ntor introduction is answered once.");
        }

        if (handshakeInfo.Length < HandshakeInfoLength)
        {
            throw new ArgumentException("HANDSHAKE_INFO needs 64 bytes.", nameof(handshakeInfo));
        }

        _responded = true;
        Span<byte> sharedXy = stackalloc byte[K];
        Span<byte> seed = stackalloc byte[K];
        try
        {
            var serverY = handshakeInfo[..K];
            X25519.DerivePublicKey(secretY, serverY);
            if (!X25519.TryAgree(secretY, ClientX, sharedXy))
            {
                // X·b was non-zero and y is clamped like b, so X·y cannot be zero: this is a library fault.
                throw new CryptographicException("X25519 with the client's key failed after it had succeeded.");
            }

            HsNtorKdf.DeriveRendezvousKeys(
                _labels, sharedXy, SharedXb, _authKey.Key.Bytes, _introEncryptionKey.PublicKey.Bytes, ClientX, serverY, seed, handshakeInfo.Slice(K, K));
            return HsNtorKdf.ExpandKeys(_labels, seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedXy);
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(_state);
        }
    }
}
