using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Tests.Handshakes;

public sealed class HsNtorHandshakeTests : IDisposable
{
    private static readonly byte[] s_header = Convert.FromHexString("00000000000000000000000000000000000000000200200102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00");

    private readonly HsIntroEncryptionKey _introKey = HsIntroEncryptionKey.Generate();
    private readonly HsIntroAuthKey _authKey = new(Ed25519PublicKey.FromBytes(TestKeys.Random(32)));
    private readonly Subcredential _subcredential = new(TestKeys.Random(32));
    private readonly HsNtorService _service;

    public HsNtorHandshakeTests()
    {
        _service = new HsNtorService(HsNtorLabels.Hpc, _introKey, _authKey, _subcredential);
    }

    public void Dispose() => _introKey.Dispose();

    public static TheoryData<string> LowOrderPoints() => TestKeys.LowOrderPoints();

    [Theory]
    [InlineData(0)]
    [InlineData(246)]
    [InlineData(2000)]
    public void Hpc_round_trip_gives_both_sides_the_plaintext_and_the_same_key_stream(int plaintextLength)
    {
        var plaintext = TestKeys.Random(plaintextLength);
        using var client = StartClient();
        var section = new byte[HsNtorClient.GetEncryptedSectionLength(plaintextLength)];
        client.SealIntroduce(s_header, plaintext, section);

        Assert.True(_service.TryOpenIntroduce(s_header, section, out var introduction, out var error));
        Assert.Equal(HsNtorError.None, error);
        using (introduction)
        {
            Assert.Equal(plaintext, introduction.Plaintext.ToArray());
            Assert.Equal(client.ClientPublicKey, introduction.ClientPublicKey);
            var info = new byte[HsNtorIntroduction.HandshakeInfoLength];
            using var serviceKeys = introduction.Respond(info);
            Assert.True(client.TryFinish(info, out var clientKeys, out error));
            using (clientKeys)
            {
                Assert.Equal(HsNtorError.None, error);
                Assert.Equal(TestKeys.ReadKeys(serviceKeys, 300), TestKeys.ReadKeys(clientKeys, 300));
            }
        }
    }

    [Fact]
    public void Tor_and_hpc_labels_do_not_interoperate()
    {
        Assert.True(HsNtorClient.TryStart(HsNtorLabels.Tor, _authKey, _introKey.Public, _subcredential, out var client, out _));
        using (client)
        {
            var section = Seal(client, [1, 2, 3]);
            Assert.False(_service.TryOpenIntroduce(s_header, section, out _, out var error));
            Assert.Equal(HsNtorError.BadMac, error);
        }
    }

    [Theory]
    [InlineData(0)] // X
    [InlineData(31)] // X, including the top bit X25519 ignores
    [InlineData(32)] // ENCRYPTED
    [InlineData(40)] // ENCRYPTED
    [InlineData(50)] // MAC
    [InlineData(81)] // MAC
    public void Flipped_bit_in_the_encrypted_section_fails_the_MAC(int index)
    {
        using var client = StartClient();
        var section = Seal(client, new byte[18]);
        for (var bit = 0; bit < 8; bit++)
        {
            Assert.False(_service.TryOpenIntroduce(s_header, TestKeys.Flip(section, index, bit), out var introduction, out var error));
            Assert.Null(introduction);
            Assert.Equal(HsNtorError.BadMac, error);
        }
    }

    [Fact]
    public void Flipped_bit_in_the_header_fails_the_MAC()
    {
        using var client = StartClient();
        var section = Seal(client, new byte[18]);
        Assert.False(_service.TryOpenIntroduce(TestKeys.Flip(s_header, 20), section, out _, out var error));
        Assert.Equal(HsNtorError.BadMac, error);
    }

    [Fact]
    public void Wrong_subcredential_fails_the_MAC()
    {
        var otherPeriod = new HsNtorService(HsNtorLabels.Hpc, _introKey, _authKey, new Subcredential(TestKeys.Random(32)));
        using var client = StartClient();
        Assert.False(otherPeriod.TryOpenIntroduce(s_header, Seal(client, [9]), out _, out var error));
        Assert.Equal(HsNtorError.BadMac, error);
    }

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void Low_order_X_is_a_typed_failure(string pointHex)
    {
        using var client = StartClient();
        var section = Seal(client, [1, 2, 3]);
        Convert.FromHexString(pointHex).CopyTo(section, 0);
        Assert.False(_service.TryOpenIntroduce(s_header, section, out var introduction, out var error));
        Assert.Null(introduction);
        Assert.Equal(HsNtorError.LowOrderPoint, error);
    }

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void Low_order_introduction_key_is_a_typed_failure(string pointHex)
    {
        var badKey = new HsIntroEncryptionPublicKey(X25519PublicKey.FromBytes(Convert.FromHexString(pointHex)));
        Assert.False(HsNtorClient.TryStart(HsNtorLabels.Hpc, _authKey, badKey, _subcredential, out var client, out var error));
        Assert.Null(client);
        Assert.Equal(HsNtorError.LowOrderPoint, error);
    }

    [Theory]
    [MemberData(nameof(LowOrderPoints))]
    public void Low_order_Y_is_a_typed_failure(string pointHex)
    {
        var (client, info) = IntroduceUpToRendezvous();
        using (client)
        {
            Convert.FromHexString(pointHex).CopyTo(info, 0);
            Assert.False(client.TryFinish(info, out var keys, out var error));
            Assert.Null(keys);
            Assert.Equal(HsNtorError.LowOrderPoint, error);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    public void Truncated_encrypted_section_is_rejected(int length)
    {
        Assert.False(_service.TryOpenIntroduce(s_header, new byte[length], out _, out var error));
        Assert.Equal(HsNtorError.Truncated, error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(32)]
    [InlineData(63)]
    public void Tampered_rendezvous_reply_fails_AUTH(int index)
    {
        for (var bit = 0; bit < 8; bit++)
        {
            var (client, info) = IntroduceUpToRendezvous();
            using (client)
            {
                Assert.False(client.TryFinish(TestKeys.Flip(info, index, bit), out var keys, out var error));
                Assert.Null(keys);
                Assert.Equal(HsNtorError.BadAuth, error);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(65)]
    public void Rendezvous_reply_of_wrong_length_is_rejected(int length)
    {
        var (client, _) = IntroduceUpToRendezvous();
        using (client)
        {
            Assert.False(client.TryFinish(new byte[length], out _, out var error));
            Assert.Equal(HsNtorError.Truncated, error);
        }
    }

    [Fact]
    public void Random_introductions_never_throw()
    {
        var random = new Random(224);
        for (var i = 0; i < 2000; i++)
        {
            var section = new byte[random.Next(0, 400)];
            random.NextBytes(section);
            Assert.False(_service.TryOpenIntroduce(s_header, section, out var introduction, out var error));
            Assert.Null(introduction);
            Assert.NotEqual(HsNtorError.None, error);
        }
    }

    [Fact]
    public void An_introduction_is_answered_once_and_a_client_finishes_once()
    {
        var (client, info) = IntroduceUpToRendezvous();
        using (client)
        {
            Assert.True(client.TryFinish(info, out var keys, out _));
            keys.Dispose();
            Assert.Throws<InvalidOperationException>(() => client.TryFinish(info, out _, out _));
        }

        using var other = StartClient();
        Assert.True(_service.TryOpenIntroduce(s_header, Seal(other, [1]), out var introduction, out _));
        using (introduction)
        {
            introduction.Respond(new byte[64]).Dispose();
            Assert.Throws<InvalidOperationException>(() => introduction.Respond(new byte[64]));
        }
    }

    private HsNtorClient StartClient()
    {
        Assert.True(HsNtorClient.TryStart(HsNtorLabels.Hpc, _authKey, _introKey.Public, _subcredential, out var client, out var error));
        Assert.Equal(HsNtorError.None, error);
        return client;
    }

    private static byte[] Seal(HsNtorClient client, byte[] plaintext)
    {
        var section = new byte[HsNtorClient.GetEncryptedSectionLength(plaintext.Length)];
        client.SealIntroduce(s_header, plaintext, section);
        return section;
    }

    private (HsNtorClient Client, byte[] HandshakeInfo) IntroduceUpToRendezvous()
    {
        var client = StartClient();
        Assert.True(_service.TryOpenIntroduce(s_header, Seal(client, [1, 2]), out var introduction, out _));
        using (introduction)
        {
            var info = new byte[HsNtorIntroduction.HandshakeInfoLength];
            introduction.Respond(info).Dispose();
            return (client, info);
        }
    }
}
