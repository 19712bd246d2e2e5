using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Interop;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Tests.Vectors;

namespace HiddenPoint.Crypto.Tests.Handshakes;

/// <summary>Every vector in every tests/vectors/hs_ntor*.txt (rend-spec-v3 appendix G.1 and the MAC helper vectors).</summary>
public sealed class HsNtorVectorTests
{
    private const string MacVectorPrefix = "MAC(";

    public static TheoryData<string> Files => VectorFiles.Named("hs_ntor", ".txt");

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_value_is_reproduced(string file)
    {
        var handshakes = 0;
        foreach (var vector in KeyValueVectors.Read(file))
        {
            foreach (var name in vector.Names.ToArray())
            {
                if (name.StartsWith(MacVectorPrefix, StringComparison.Ordinal))
                {
                    CheckMacVector(name, vector.Get(name));
                }
            }

            if (vector.Names.Any(name => !name.StartsWith(MacVectorPrefix, StringComparison.Ordinal)))
            {
                ReproduceHandshake(vector);
                handshakes++;
            }

            vector.AssertAllUsed();
        }

        Assert.True(handshakes > 0, $"{file} holds no handshake vector.");
    }

    /// <summary><c>MAC(key="who" 77686f, msg="knows?" 6b6e6f77733f) = ...</c>: the hex after each quoted string is the input.</summary>
    private static void CheckMacVector(string name, byte[] expected)
    {
        var match = System.Text.RegularExpressions.Regex.Match(
            name, "^MAC\\(key=\"[^\"]*\" ([0-9a-fA-F]*), msg=\"[^\"]*\" ([0-9a-fA-F]*)\\)$");
        Assert.True(match.Success, $"Unparseable MAC vector name: {name}");
        var key = Convert.FromHexString(match.Groups[1].Value);
        var message = Convert.FromHexString(match.Groups[2].Value);
        var mac = new byte[32];
        HsNtorKdf.Mac(key, message, default, default, mac);
        Assert.Equal(expected, mac);
    }

    private static void ReproduceHandshake(VectorRecord v)
    {
        var labels = HsNtorLabels.Tor;
        var authKey = new HsIntroAuthKey(Ed25519PublicKey.FromBytes(v.Get("KP_hs_ipt_sid (AUTH_KEY)")));
        var introKeyB = v.Get("KP_hss_ntor (B)");
        var secretB = v.Get("KS_hss_ntor (b)");
        var subcredential = new Subcredential(v.Get("N_hs_subcred"));
        var header = v.Get("H (INTRODUCE1 header before ENCRYPTED)");
        var plaintext = v.Get("P (plaintext)");
        var secretX = v.Get("x");
        var clientX = v.Get("X");
        var secretY = v.Get("y");
        var serverY = v.Get("Y");
        var body = v.Get("INTRODUCE1 body (H|X|C|M)");
        var handshakeInfo = v.Get("RENDEZVOUS1 HANDSHAKE_INFO (Y|AUTH_INPUT_MAC)");

        using var introKey = HsIntroEncryptionKey.FromSeed(secretB);
        Assert.Equal(introKeyB, introKey.PublicKey.Bytes.ToArray());

        // Introduction keys.
        var sharedBx = new byte[32];
        Assert.True(X25519.TryAgree(secretX, introKeyB, sharedBx));
        var encKey = new byte[32];
        var macKey = new byte[32];
        HsNtorKdf.DeriveIntroKeys(labels, sharedBx, authKey.Key.Bytes, clientX, introKeyB, subcredential.Bytes, encKey, macKey);
        Assert.Equal(v.Get("ENC_KEY"), encKey);
        Assert.Equal(v.Get("MAC_KEY"), macKey);

        // INTRODUCE1: the client's sealed section after H is the published body's.
        Assert.True(HsNtorClient.TryStartWithFixedEphemeralKeyForTestsOnly(
            labels, authKey, new HsIntroEncryptionPublicKey(X25519PublicKey.FromBytes(introKeyB)), subcredential, secretX, out var client, out var error), error.ToString());
        using (client)
        {
            Assert.Equal(clientX, client.ClientPublicKey.Bytes.ToArray());
            var section = new byte[HsNtorClient.GetEncryptedSectionLength(plaintext.Length)];
            client.SealIntroduce(header, plaintext, section);
            byte[] sealedBody = [.. header, .. section];
            Assert.Equal(body, sealedBody);

            // INTRODUCE2 at the service, then RENDEZVOUS1.
            var service = new HsNtorService(labels, introKey, authKey, subcredential);
            Assert.True(service.TryOpenIntroduce(header, body.AsSpan(header.Length), out var introduction, out error), error.ToString());
            byte[] serviceKeys;
            using (introduction)
            {
                Assert.Equal(plaintext, introduction.Plaintext.ToArray());
                Assert.Equal(clientX, introduction.ClientPublicKey.Bytes.ToArray());
                var info = new byte[HsNtorIntroduction.HandshakeInfoLength];
                using var keys = introduction.RespondWithFixedEphemeralKeyForTestsOnly(info, secretY);
                Assert.Equal(handshakeInfo, info);
                Assert.Equal(serverY, info.AsSpan(0, 32).ToArray());
                serviceKeys = TestKeys.ReadKeys(keys, 128);
            }

            // The rendezvous intermediates.
            var sharedXy = new byte[32];
            Assert.True(X25519.TryAgree(secretY, clientX, sharedXy));
            var seed = new byte[32];
            var authInputMac = new byte[32];
            HsNtorKdf.DeriveRendezvousKeys(labels, sharedXy, sharedBx, authKey.Key.Bytes, introKeyB, clientX, serverY, seed, authInputMac);
            Assert.Equal(v.Get("NTOR_KEY_SEED"), seed);
            Assert.Equal(v.Get("AUTH_INPUT_MAC"), authInputMac);

            // RENDEZVOUS2 at the client.
            Assert.True(client.TryFinish(handshakeInfo, out var clientKeys, out error), error.ToString());
            using (clientKeys)
            {
                Assert.Equal(serviceKeys, TestKeys.ReadKeys(clientKeys, 128));
            }

            // The key stream is SHAKE-256(NTOR_KEY_SEED | m_hsexpand), computed here with the BCL.
            byte[] expansionInput = [.. seed, .. "tor-hs-ntor-curve25519-sha3-256-1:hs_key_expand"u8];
            Assert.Equal(System.Security.Cryptography.Shake256.HashData(expansionInput, 128), serviceKeys);
        }
    }
}
