using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Noise;
using HiddenPoint.Crypto.Tests.Vectors;

namespace HiddenPoint.Crypto.Tests.Noise;

/// <summary>
/// Runs every vector of every tests/vectors/noise*.json file: both sides with the vector's fixed ephemeral keys,
/// every handshake message and transport message compared byte for byte, and the handshake hash.
/// </summary>
public sealed class NoiseVectorTests
{
    public static TheoryData<string> Files => VectorFiles.Named("noise", ".json");

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_vector_in_the_file_is_reproduced(string fileName)
    {
        var vectors = NoiseVectorFile.Parse(File.ReadAllText(VectorFiles.PathOf(fileName)));
        var failures = new List<string>();
        foreach (var vector in vectors)
        {
            try
            {
                Run(vector);
            }
#pragma warning disable CA1031 // Collect every failing vector of the file, then fail once naming them all.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add($"{fileName} {vector}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void The_shared_file_covers_every_supported_protocol()
    {
        var names = VectorFiles.Find("noise", ".json")
            .SelectMany(file => NoiseVectorFile.Parse(File.ReadAllText(file)))
            .Select(vector => vector.ProtocolName)
            .ToHashSet();
        foreach (var expected in new[]
        {
            "Noise_NN_25519_AESGCM_SHA256",
            "Noise_NK_25519_AESGCM_SHA256",
            "Noise_XK_25519_AESGCM_SHA256",
            "Noise_NK_25519_ChaChaPoly_SHA256",
            "Noise_XK_25519_ChaChaPoly_SHA256",
        })
        {
            Assert.Contains(expected, names);
        }
    }

    [Fact]
    public void A_vector_of_an_unsupported_protocol_fails_instead_of_being_skipped()
    {
        var vector = NoiseVectorFile.Parse(File.ReadAllText(VectorFiles.PathOf("noise.json")))[0] with
        {
            ProtocolName = "Noise_IK_25519_AESGCM_SHA256",
        };
        Assert.Throws<NotSupportedException>(() => Run(vector));
    }

    [Fact]
    public void A_vector_with_a_wrong_ciphertext_fails()
    {
        var vector = NoiseVectorFile.Parse(File.ReadAllText(VectorFiles.PathOf("noise.json")))[0];
        var messages = vector.Messages.ToList();
        var last = messages[^1];
        var changed = last.Ciphertext.ToArray();
        changed[0] ^= 1;
        messages[^1] = last with { Ciphertext = changed };
        Assert.ThrowsAny<Exception>(() => Run(vector with { Messages = messages }));
    }

    [Theory]
    [InlineData("""{"vectors":[]}""")]
    [InlineData("""{"convention":"something else","vectors":[]}""")]
    [InlineData("[]")]
    public void A_file_that_cannot_be_understood_fails_to_parse(string json)
    {
        Assert.ThrowsAny<Exception>(() => NoiseVectorFile.Parse(json));
    }

    [Fact]
    public void A_vector_with_a_field_the_runner_does_not_implement_fails_to_parse()
    {
        var json = File.ReadAllText(VectorFiles.PathOf("noise.json"))
            .Replace("\"protocol_name\"", "\"init_psks\": [], \"protocol_name\"", StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => NoiseVectorFile.Parse(json));
    }

    private static void Run(NoiseVector vector)
    {
        if (!NoiseProtocol.TryParse(vector.ProtocolName, out var protocol))
        {
            throw new NotSupportedException($"Protocol {vector.ProtocolName} is not implemented.");
        }

        using var initiatorStatic = ImportPrivate(vector.InitiatorStatic);
        using var responderStatic = ImportPrivate(vector.ResponderStatic);
        var initiatorRemote = ImportPublic(vector.InitiatorRemoteStatic);
        var responderRemote = ImportPublic(vector.ResponderRemoteStatic);
        if (responderStatic is not null && initiatorRemote is not null)
        {
            Assert.Equal(responderStatic.PublicKey, initiatorRemote);
        }

        using var initiator = NoiseHandshake.CreateWithFixedEphemeralForTestsOnly(
            protocol, NoiseRole.Initiator, vector.InitiatorPrologue, initiatorStatic, initiatorRemote, vector.InitiatorEphemeral);
        using var responder = NoiseHandshake.CreateWithFixedEphemeralForTestsOnly(
            protocol, NoiseRole.Responder, vector.ResponderPrologue, responderStatic, responderRemote, vector.ResponderEphemeral);

        var handshakeMessages = protocol.Pattern.MessageCount;
        Assert.True(vector.Messages.Count >= handshakeMessages, "The vector has fewer messages than its pattern.");
        NoiseTransport? initiatorTransport = null;
        NoiseTransport? responderTransport = null;
        try
        {
            var buffer = new byte[NoiseHandshake.MaxMessageLength];
            var payload = new byte[NoiseHandshake.MaxMessageLength];
            for (var i = 0; i < vector.Messages.Count; i++)
            {
                var expected = vector.Messages[i];
                var fromInitiator = i % 2 == 0;
                int written;
                int read;
                if (i < handshakeMessages)
                {
                    var (sender, receiver) = fromInitiator ? (initiator, responder) : (responder, initiator);
                    Assert.True(sender.IsMyTurnToWrite);
                    Assert.Equal(NoiseError.None, sender.WriteMessage(expected.Payload, buffer, out written));
                    Assert.Equal(Convert.ToHexString(expected.Ciphertext), Convert.ToHexString(buffer, 0, written));
                    Assert.Equal(NoiseError.None, receiver.ReadMessage(expected.Ciphertext, payload, out read));
                    Assert.Equal(Convert.ToHexString(expected.Payload), Convert.ToHexString(payload, 0, read));
                    if (i == handshakeMessages - 1)
                    {
                        Assert.True(initiator.IsComplete && responder.IsComplete);
                        initiatorTransport = initiator.Split();
                        responderTransport = responder.Split();
                    }

                    continue;
                }

                var (sending, receiving) = fromInitiator
                    ? (initiatorTransport!.Sender, responderTransport!.Receiver)
                    : (responderTransport!.Sender, initiatorTransport!.Receiver);
                Assert.Equal(NoiseError.None, sending.Encrypt(expected.Payload, buffer));
                written = expected.Payload.Length + NoiseCipherState.TagLength;
                Assert.Equal(Convert.ToHexString(expected.Ciphertext), Convert.ToHexString(buffer, 0, written));
                Assert.Equal(NoiseError.None, receiving.Decrypt(expected.Ciphertext, payload));
                Assert.Equal(Convert.ToHexString(expected.Payload), Convert.ToHexString(payload, 0, expected.Ciphertext.Length - NoiseCipherState.TagLength));
            }

            Assert.NotNull(initiatorTransport);
            Assert.NotNull(responderTransport);
            Assert.Equal(initiatorTransport.HandshakeHash.ToArray(), responderTransport.HandshakeHash.ToArray());
            if (vector.HandshakeHash is not null)
            {
                Assert.Equal(Convert.ToHexString(vector.HandshakeHash), Convert.ToHexString(initiatorTransport.HandshakeHash));
            }

            // Whatever static key a side sent is what the other side now holds.
            if (initiatorStatic is not null)
            {
                Assert.Equal(initiatorStatic.PublicKey, responderTransport.RemoteStaticKey);
            }

            if (responderStatic is not null)
            {
                Assert.Equal(responderStatic.PublicKey, initiatorTransport.RemoteStaticKey);
            }
        }
        finally
        {
            initiatorTransport?.Dispose();
            responderTransport?.Dispose();
        }
    }

    private static LinkKey? ImportPrivate(byte[]? raw) =>
        raw is null ? null : LinkKey.FromSeed(raw);

    private static X25519PublicKey? ImportPublic(byte[]? raw) =>
        raw is null ? null : X25519PublicKey.FromBytes(raw);
}
