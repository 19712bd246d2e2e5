using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Interop;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Tests.Vectors;

namespace HiddenPoint.Crypto.Tests.Handshakes;

/// <summary>Every vector in every tests/vectors/ntor_v3*.txt (proposal 332 X.2 and its successors), value by value.</summary>
public sealed class NtorV3VectorTests
{
    public static TheoryData<string> Files => VectorFiles.Named("ntor_v3", ".txt");

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_intermediate_and_message_is_reproduced(string file)
    {
        foreach (var vector in KeyValueVectors.Read(file))
        {
            Reproduce(vector);
            vector.AssertAllUsed();
        }
    }

    private static void Reproduce(VectorRecord v)
    {
        var labels = new NtorV3Labels(NtorV3Labels.Tor.ProtocolId, v.Get("VER"));
        var secretB = v.Get("b");
        var onionKeyB = v.Get("B");
        var id = v.Get("ID");
        var secretX = v.Get("x");
        var clientX = v.Get("X");
        var clientMessage = v.Get("CM");
        var secretY = v.Get("y");
        var serverY = v.Get("Y");
        var serverMessage = v.Get("SM");
        var keystream = v.Get("KEYSTREAM");

        // Public keys follow from the secret ones.
        using var onionKey = CircuitHandshakeKey.FromSeed(secretB);
        Assert.Equal(onionKeyB, onionKey.PublicKey.Bytes.ToArray());
        Assert.Equal(clientX, PublicOf(secretX));
        Assert.Equal(serverY, PublicOf(secretY));

        // Client, phase 1.
        var sharedBx = Agree(secretX, onionKeyB);
        var encK1 = new byte[32];
        var macK1 = new byte[32];
        NtorV3Kdf.DerivePhase1Keys(labels, sharedBx, id, clientX, onionKeyB, encK1, macK1);
        Assert.Equal(v.Get("ENC_K1"), encK1);
        Assert.Equal(v.Get("MAC_K1"), macK1);

        var encryptedClientMessage = clientMessage.ToArray();
        NtorV3Kdf.Encrypt(encK1, encryptedClientMessage);
        var messageMac = new byte[32];
        NtorV3Kdf.ComputeMessageMac(labels, macK1, id, onionKeyB, clientX, encryptedClientMessage, messageMac);
        Assert.Equal(v.Get("msg_mac"), messageMac);

        // Server: both of its shared secrets, and the client's equal ones.
        var sharedXy = Agree(secretY, clientX);
        var sharedXb = Agree(secretB, clientX);
        Assert.Equal(sharedXy, Agree(secretX, serverY));
        Assert.Equal(sharedXb, sharedBx);
        var keySeed = new byte[32];
        var verify = new byte[32];
        NtorV3Kdf.DeriveKeySeedAndVerify(labels, sharedXy, sharedXb, id, onionKeyB, clientX, serverY, keySeed, verify);
        Assert.Equal(v.Get("key_seed"), keySeed);
        Assert.Equal(v.Get("verify"), verify);

        var encKey = new byte[32];
        using (var stream = NtorV3Kdf.DeriveFinalKeys(labels, keySeed, encKey))
        {
            Assert.Equal(v.Get("ENC_KEY (server)"), encKey);
            Assert.Equal(keystream, TestKeys.ReadKeys(stream, keystream.Length));
        }

        var encryptedServerMessage = serverMessage.ToArray();
        NtorV3Kdf.Encrypt(encKey, encryptedServerMessage);
        var auth = new byte[32];
        NtorV3Kdf.ComputeAuth(labels, verify, id, onionKeyB, serverY, clientX, messageMac, encryptedServerMessage, auth);
        Assert.Equal(v.Get("AUTH"), auth);

        // The whole handshake through the public entry points, with the vector's ephemeral keys.
        var expectedClientHandshake = v.Get("client_handshake");
        var expectedServerHandshake = v.Get("server_handshake");
        var clientHandshake = new byte[NtorV3Client.GetClientHandshakeLength(clientMessage.Length)];
        using var client = NtorV3Client.StartWithFixedEphemeralKeyForTestsOnly(
            labels, new RelayId(Ed25519PublicKey.FromBytes(id)), new CircuitHandshakePublicKey(X25519PublicKey.FromBytes(onionKeyB)), clientMessage, clientHandshake, secretX);
        Assert.Equal(expectedClientHandshake, clientHandshake);

        var server = new NtorV3Server(labels, new RelayId(Ed25519PublicKey.FromBytes(id)), onionKey);
        Assert.True(server.TryAccept(clientHandshake, out var request, out var error), error.ToString());
        {
            Assert.Equal(NtorV3Error.None, error);
            Assert.Equal(clientMessage, request.ClientMessage.ToArray());
            var serverHandshake = new byte[NtorV3ServerRequest.GetServerHandshakeLength(serverMessage.Length)];
            using var serverKeys = request.RespondWithFixedEphemeralKeyForTestsOnly(serverMessage, serverHandshake, secretY);
            Assert.Equal(expectedServerHandshake, serverHandshake);
            Assert.Equal(keystream, ReadInPieces(serverKeys, keystream.Length));
        }

        Assert.True(client.TryFinish(expectedServerHandshake, out var clientKeys, out var receivedServerMessage, out error), error.ToString());
        using (clientKeys)
        {
            Assert.Equal(serverMessage, receivedServerMessage);
            Assert.Equal(keystream, TestKeys.ReadKeys(clientKeys, keystream.Length));
        }
    }

    /// <summary>Reads in uneven pieces that straddle SHAKE-256's 136-byte blocks: the stream must not care.</summary>
    private static byte[] ReadInPieces(NtorKeyStreamReader reader, int length)
    {
        var result = new byte[length];
        int[] pieces = [1, 31, 104, 1, 135, 7];
        var offset = 0;
        var i = 0;
        while (offset < length)
        {
            var take = Math.Min(pieces[i++ % pieces.Length], length - offset);
            reader.Read(result.AsSpan(offset, take));
            offset += take;
        }

        Assert.Equal(length, reader.Position);
        return result;
    }

    private static byte[] PublicOf(byte[] secret)
    {
        var result = new byte[32];
        X25519.DerivePublicKey(secret, result);
        return result;
    }

    private static byte[] Agree(byte[] secret, byte[] publicKey)
    {
        var result = new byte[32];
        Assert.True(X25519.TryAgree(secret, publicKey, result));
        return result;
    }
}
