using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Interop;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// The connecting side of hs_ntor (rend-spec-v3 §3.3): derives ENC_KEY and MAC_KEY from the introduction
/// point's keys and the subcredential, seals the encrypted section of INTRODUCE1 (<c>X | ENCRYPTED | MAC</c>),
/// and later checks the hidden point's RENDEZVOUS2 reply and derives the circuit key stream.
/// </summary>
/// <remarks>One instance serves one introduction; <see cref="TryFinish"/> may be called once and wipes the secrets.</remarks>
public sealed class HsNtorClient : IDisposable
{
    /// <summary>Bytes of the encrypted section besides the ciphertext: CLIENT_PK (X) and MAC.</summary>
    public const int EncryptedSectionOverhead = 2 * K;

    /// <summary>Length of RENDEZVOUS2's HANDSHAKE_INFO: SERVER_PK (Y) and AUTH_INPUT_MAC.</summary>
    public const int HandshakeInfoLength = 2 * K;

    private const int K = HsNtorKdf.KeyLength;

    private readonly HsNtorLabels _labels;

    // x | EXP(B,x) | AUTH_KEY | B | X | ENC_KEY | MAC_KEY
    private readonly byte[] _state;
    private bool _finished;
    private bool _disposed;

    private HsNtorClient(HsNtorLabels labels)
    {
        _labels = labels;
        _state = GC.AllocateArray<byte>(7 * K, pinned: true);
    }

    /// <summary>CLIENT_PK (X), as it appears in INTRODUCE1.</summary>
    public X25519PublicKey ClientPublicKey => X25519PublicKey.FromBytes(ClientX);

    private Span<byte> SecretX => _state.AsSpan(0, K);

    private Span<byte> SharedBx => _state.AsSpan(K, K);

    private Span<byte> AuthKey => _state.AsSpan(2 * K, K);

    private Span<byte> IntroKeyB => _state.AsSpan(3 * K, K);

    private Span<byte> ClientX => _state.AsSpan(4 * K, K);

    private Span<byte> EncKey => _state.AsSpan(5 * K, K);

    private Span<byte> MacKey => _state.AsSpan(6 * K, K);

    /// <summary>Length of the encrypted section that carries a <paramref name="plaintextLength"/>-byte plaintext.</summary>
    public static int GetEncryptedSectionLength(int plaintextLength) => EncryptedSectionOverhead + plaintextLength;

    /// <summary>
    /// Starts an introduction to the hidden point through the introduction point with authentication key
    /// <paramref name="authKey"/> and encryption key <paramref name="introEncryptionKey"/> (both from the descriptor).
    /// Fails with <see cref="HsNtorError.LowOrderPoint"/> when that key has small order.
    /// </summary>
    public static bool TryStart(
        HsNtorLabels labels,
        HsIntroAuthKey authKey,
        HsIntroEncryptionPublicKey introEncryptionKey,
        Subcredential subcredential,
        [NotNullWhen(true)] out HsNtorClient? client,
        out HsNtorError error)
    {
        Span<byte> secretX = stackalloc byte[K];
        RandomNumberGenerator.Fill(secretX);
        try
        {
            return TryStartCore(labels, authKey, introEncryptionKey, subcredential, secretX, out client, out error);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secretX);
        }
    }

    /// <summary>
    /// TESTS ONLY: <see cref="TryStart"/> with a caller-chosen ephemeral secret x, to reproduce published vectors.
    /// Reusing x breaks the handshake; nothing outside the tests may call this.
    /// </summary>
    internal static bool TryStartWithFixedEphemeralKeyForTestsOnly(
        HsNtorLabels labels,
        HsIntroAuthKey authKey,
        HsIntroEncryptionPublicKey introEncryptionKey,
        Subcredential subcredential,
        ReadOnlySpan<byte> fixedSecretX,
        [NotNullWhen(true)] out HsNtorClient? client,
        out HsNtorError error) =>
        TryStartCore(labels, authKey, introEncryptionKey, subcredential, fixedSecretX, out client, out error);

    /// <summary>
    /// Writes INTRODUCE1's encrypted section <c>X | ENCRYPTED | MAC</c>: the plaintext encrypted with ENC_KEY, and
    /// MAC = MAC(MAC_KEY, H | X | ENCRYPTED), where <paramref name="header"/> (H) is everything in INTRODUCE1
    /// before the encrypted section.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="encryptedSection"/> is shorter than <see cref="GetEncryptedSectionLength"/>.</exception>
    public void SealIntroduce(ReadOnlySpan<byte> header, ReadOnlySpan<byte> plaintext, Span<byte> encryptedSection)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var total = GetEncryptedSectionLength(plaintext.Length);
        if (encryptedSection.Length < total)
        {
            throw new ArgumentException($"The encrypted section needs {total} bytes.", nameof(encryptedSection));
        }

        ClientX.CopyTo(encryptedSection);
        var ciphertext = encryptedSection.Slice(K, plaintext.Length);
        plaintext.CopyTo(ciphertext);
        HsNtorKdf.Encrypt(EncKey, ciphertext);
        HsNtorKdf.Mac(MacKey, header, ClientX, ciphertext, encryptedSection.Slice(K + plaintext.Length, K));
    }

    /// <summary>
    /// Checks RENDEZVOUS2's HANDSHAKE_INFO (<c>Y | AUTH_INPUT_MAC</c>) and returns the circuit key stream
    /// SHAKE-256(NTOR_KEY_SEED | m_hsexpand).
    /// </summary>
    /// <exception cref="InvalidOperationException">Called a second time.</exception>
    public bool TryFinish(
        ReadOnlySpan<byte> handshakeInfo,
        [NotNullWhen(true)] out NtorKeyStreamReader? keyStream,
        out HsNtorError error)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
        {
            throw new InvalidOperationException("An hs_ntor client state serves one introduction.");
        }

        _finished = true;
        keyStream = null;
        Span<byte> sharedYx = stackalloc byte[K];
        Span<byte> seed = stackalloc byte[K];
        Span<byte> expectedAuth = stackalloc byte[K];
        try
        {
            if (handshakeInfo.Length != HandshakeInfoLength)
            {
                error = HsNtorError.Truncated;
                return false;
            }

            var serverY = handshakeInfo[..K];
            if (!X25519.TryAgree(SecretX, serverY, sharedYx))
            {
                error = HsNtorError.LowOrderPoint;
                return false;
            }

            HsNtorKdf.DeriveRendezvousKeys(_labels, sharedYx, SharedBx, AuthKey, IntroKeyB, ClientX, serverY, seed, expectedAuth);
            if (!CryptographicOperations.FixedTimeEquals(expectedAuth, handshakeInfo[K..]))
            {
                error = HsNtorError.BadAuth;
                return false;
            }

            keyStream = HsNtorKdf.ExpandKeys(_labels, seed);
            error = HsNtorError.None;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedYx);
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(_state);
        }
    }

    /// <summary>Wipes the ephemeral secret and derived keys.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_state);
        _disposed = true;
    }

    private static bool TryStartCore(
        HsNtorLabels labels,
        HsIntroAuthKey authKey,
        HsIntroEncryptionPublicKey introEncryptionKey,
        Subcredential subcredential,
        ReadOnlySpan<byte> secretX,
        [NotNullWhen(true)] out HsNtorClient? client,
        out HsNtorError error)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(subcredential);
        var started = new HsNtorClient(labels);
        secretX.CopyTo(started.SecretX);
        X25519.DerivePublicKey(secretX, started.ClientX);
        if (!X25519.TryAgree(secretX, introEncryptionKey.Key.Bytes, started.SharedBx))
        {
            started.Dispose();
            client = null;
            error = HsNtorError.LowOrderPoint;
            return false;
        }

        authKey.Key.Bytes.CopyTo(started.AuthKey);
        introEncryptionKey.Key.Bytes.CopyTo(started.IntroKeyB);
        HsNtorKdf.DeriveIntroKeys(
            labels, started.SharedBx, started.AuthKey, started.ClientX, started.IntroKeyB, subcredential.Bytes, started.EncKey, started.MacKey);
        client = started;
        error = HsNtorError.None;
        return true;
    }
}
