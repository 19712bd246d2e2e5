using System.Buffers.Binary;
using System.Security.Cryptography;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.Circuits;
using HiddenPoint.Relay.HiddenPoints;
using NSec.Cryptography;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Relay.Tests.HiddenPoints;

public sealed class IntroductionPointRoleTests
{
    [Fact]
    public async Task EstablishIntroWithGoodMacAndSignatureIsAcknowledged()
    {
        await using var relay = new RoleHarness();
        using var authKey = NewAuthKey();
        var host = await relay.OpenClientAsync();

        await host.SendAsync(EstablishIntro(host.BindingKey, authKey));

        var reply = await host.ReceiveAsync();
        Assert.Equal(RelayCommand.IntroEstablished, reply.Command);
        Assert.Empty(reply.Decode<IntroEstablishedMessage>().Extensions);
        var context = await host.RelaySide.Context;
        Assert.Equal(RelayCircuitPurpose.IntroductionPoint, context.Purpose);
        Assert.Equal(1, relay.Intro.Registered);
    }

    [Fact]
    public async Task EstablishIntroWithBadMacClosesTheCircuit()
    {
        await using var relay = new RoleHarness();
        using var authKey = NewAuthKey();
        var host = await relay.OpenClientAsync();
        var wrongKey = (byte[])host.BindingKey.Clone();
        wrongKey[0] ^= 1;

        await host.SendAsync(EstablishIntro(wrongKey, authKey));

        Assert.Equal(CircuitCloseReason.ProtocolViolation, await host.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        Assert.Equal(CircuitCloseReason.DestroyedByPeer, await host.ClosedAsync());
        Assert.Equal(0, relay.Intro.Registered);
    }

    [Fact]
    public async Task EstablishIntroWithBadSignatureClosesTheCircuit()
    {
        await using var relay = new RoleHarness();
        using var authKey = NewAuthKey();
        var host = await relay.OpenClientAsync();
        var good = EstablishIntro(host.BindingKey, authKey);
        var signature = good.Signature.ToArray();
        signature[10] ^= 0x40;

        await host.SendAsync(new EstablishIntroMessage(good.AuthKey, null, good.HandshakeAuth, signature));

        Assert.Equal(CircuitCloseReason.ProtocolViolation, await host.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        Assert.Equal(0, relay.Intro.Registered);
    }

    [Fact]
    public async Task EstablishIntroSignedWithoutThePrefixIsRefused()
    {
        await using var relay = new RoleHarness();
        using var authKey = NewAuthKey();
        var host = await relay.OpenClientAsync();

        await host.SendAsync(EstablishIntro(host.BindingKey, authKey, prefix: "Tor establish-intro cell v1"u8.ToArray()));

        Assert.Equal(CircuitCloseReason.ProtocolViolation, await host.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task MalformedEstablishIntroClosesTheCircuit()
    {
        await using var relay = new RoleHarness();
        var host = await relay.OpenClientAsync();

        // Auth key type 1 (not Ed25519), then too little of the rest.
        await host.SendRawAsync(RelayCommand.EstablishIntro, new byte[] { 1, 0, 32, 5, 5 });

        Assert.Equal(CircuitCloseReason.ProtocolViolation, await host.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task AnAuthKeyThatIsNoCurvePointIsRefusedNotAFault()
    {
        await using var relay = new RoleHarness();
        var host = await relay.OpenClientAsync();
        var notAPoint = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        var draft = new EstablishIntroMessage(notAPoint, null, new byte[32], new byte[64]);
        var bytes = draft.EncodeData();
        var mac = HandshakeAuth(host.BindingKey, bytes.AsSpan(0, draft.MacCoveredLength));

        await host.SendAsync(new EstablishIntroMessage(notAPoint, null, mac, new byte[64]));

        Assert.Equal(CircuitCloseReason.ProtocolViolation, await host.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
    }

    [Fact]
    public async Task EstablishIntroCopiedOntoAnotherCircuitFailsItsMac()
    {
        // TEST-MATRIX RP-03: the MAC binds the message to the circuit it was made for.
        await using var relay = new RoleHarness();
        using var authKey = NewAuthKey();
        var victim = await relay.OpenClientAsync();
        var attacker = await relay.OpenClientAsync();
        var captured = EstablishIntro(victim.BindingKey, authKey);

        await attacker.SendAsync(captured);
        Assert.Equal(CircuitCloseReason.ProtocolViolation, await attacker.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        Assert.Equal(0, relay.Intro.Registered);

        await victim.SendAsync(captured);
        Assert.Equal(RelayCommand.IntroEstablished, (await victim.ReceiveAsync()).Command);
    }

    [Fact]
    public async Task EstablishIntroIsRefusedOnACircuitUsedAlready()
    {
        await using var relay = new RoleHarness();
        using var authKey = NewAuthKey();
        var host = await relay.OpenClientAsync();
        await host.SendAsync(EstablishIntro(host.BindingKey, authKey));
        Assert.Equal(RelayCommand.IntroEstablished, (await host.ReceiveAsync()).Command);

        await host.SendAsync(EstablishIntro(host.BindingKey, authKey));
        Assert.Equal(CircuitCloseReason.ProtocolViolation, await host.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        Assert.Equal(0, relay.Intro.Registered);
    }

    [Fact]
    public async Task Introduce1IsForwardedAsIntroduce2ByteForByte()
    {
        await using var relay = new RoleHarness();
        using var authKey = NewAuthKey();
        var host = await Established(relay, authKey);
        var client = await relay.OpenClientAsync();
        var introduce = Introduce1(authKey);
        var sent = introduce.EncodeData();

        await client.SendAsync(introduce);

        var forwarded = await host.ReceiveAsync();
        Assert.Equal(RelayCommand.Introduce2, forwarded.Command);
        Assert.Equal(sent, forwarded.Data);
        Assert.Equal(IntroduceAckStatus.Success, (await client.ReceiveAsync()).Decode<IntroduceAckMessage>().Status);

        // The client's circuit is now an introducing one: the engine refuses to extend it.
        Assert.Equal(RelayCircuitPurpose.Introducing, (await client.RelaySide.Context).Purpose);
    }

    [Fact]
    public async Task Introduce1ForAnUnknownKeyIsAnsweredServiceNotRecognized()
    {
        await using var relay = new RoleHarness();
        using var authKey = NewAuthKey();
        using var otherKey = NewAuthKey();
        var host = await Established(relay, authKey);
        var client = await relay.OpenClientAsync();

        await client.SendAsync(Introduce1(otherKey));

        Assert.Equal(IntroduceAckStatus.ServiceNotRecognized, (await client.ReceiveAsync()).Decode<IntroduceAckMessage>().Status);
        Assert.False(host.Received.Messages.Reader.TryRead(out _));
        Assert.Equal(RelayCircuitPurpose.Introducing, (await client.RelaySide.Context).Purpose);
    }

    [Fact]
    public async Task MalformedIntroduce1IsAnsweredBadFormat()
    {
        await using var relay = new RoleHarness();
        var client = await relay.OpenClientAsync();

        // A non-zero legacy key id, then nothing of what should follow.
        await client.SendRawAsync(RelayCommand.Introduce1, new byte[] { 1, 2, 3 });

        Assert.Equal(IntroduceAckStatus.BadMessageFormat, (await client.ReceiveAsync()).Decode<IntroduceAckMessage>().Status);
    }

    [Fact]
    public async Task ASecondIntroduce1OnOneCircuitClosesIt()
    {
        await using var relay = new RoleHarness();
        using var authKey = NewAuthKey();
        var host = await Established(relay, authKey);
        var client = await relay.OpenClientAsync();
        await client.SendAsync(Introduce1(authKey));
        Assert.Equal(IntroduceAckStatus.Success, (await client.ReceiveAsync()).Decode<IntroduceAckMessage>().Status);

        await client.SendAsync(Introduce1(authKey));

        Assert.Equal(CircuitCloseReason.ProtocolViolation, await client.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        Assert.Equal(RelayCommand.Introduce2, (await host.ReceiveAsync()).Command);
        Assert.False(host.Received.Messages.Reader.TryRead(out _));
    }

    [Fact]
    public async Task FL10_IntroductionsBeyondTheBurstAreRefusedAndNotForwarded()
    {
        // The clock stands still, so the bucket never refills: exactly the burst goes through.
        await using var relay = new RoleHarness(o =>
        {
            o.IntroduceRatePerSecond = 1;
            o.IntroduceBurst = 3;
        }, time: new FakeTimeProvider());
        using var authKey = NewAuthKey();
        var host = await Established(relay, authKey);
        var statuses = new List<IntroduceAckStatus>();
        for (var i = 0; i < 5; i++)
        {
            var client = await relay.OpenClientAsync();
            await client.SendAsync(Introduce1(authKey));
            statuses.Add((await client.ReceiveAsync()).Decode<IntroduceAckMessage>().Status);
        }

        Assert.Equal(
            [IntroduceAckStatus.Success, IntroduceAckStatus.Success, IntroduceAckStatus.Success, IntroduceAckStatus.RelayFailed, IntroduceAckStatus.RelayFailed],
            statuses);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(RelayCommand.Introduce2, (await host.ReceiveAsync()).Command);
        }

        Assert.False(host.Received.Messages.Reader.TryRead(out _));
    }

    [Fact]
    public async Task FL10_AnIntroduceFloodIsForwardedAtTwentyFivePerSecondAfterABurstOf200AndAnotherServiceIsUnaffected()
    {
        // Tor's defaults (25/s, burst 200); the clock moves only when the test moves it.
        var time = new FakeTimeProvider();
        await using var relay = new RoleHarness(time: time);
        using var attacked = NewAuthKey();
        using var bystanderKey = NewAuthKey();
        var host = await Established(relay, attacked);
        var bystander = await Established(relay, bystanderKey);

        async Task<int> FloodAsync(int count)
        {
            var forwarded = 0;
            for (var i = 0; i < count; i++)
            {
                var client = await relay.OpenClientAsync();
                await client.SendAsync(Introduce1(attacked));
                forwarded += (await client.ReceiveAsync()).Decode<IntroduceAckMessage>().Status == IntroduceAckStatus.Success ? 1 : 0;
            }

            return forwarded;
        }

        // 220 at once: the burst goes through, the rest is refused with RelayFailed and never reaches the service.
        Assert.Equal(200, await FloodAsync(220));

        // A second later: 25 more, and only 25.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(25, await FloodAsync(35));
        for (var i = 0; i < 225; i++)
        {
            Assert.Equal(RelayCommand.Introduce2, (await host.ReceiveAsync()).Command);
        }

        Assert.False(host.Received.Messages.Reader.TryRead(out _));

        // Another service's introduction point circuit has its own bucket.
        var other = await relay.OpenClientAsync();
        await other.SendAsync(Introduce1(bystanderKey));
        Assert.Equal(IntroduceAckStatus.Success, (await other.ReceiveAsync()).Decode<IntroduceAckMessage>().Status);
        Assert.Equal(RelayCommand.Introduce2, (await bystander.ReceiveAsync()).Command);
    }

    [Fact]
    public async Task ANewerCircuitTakesTheKeyOverAndTheRelayClosesTheOldOne()
    {
        await using var relay = new RoleHarness();
        using var authKey = NewAuthKey();
        var oldHost = await Established(relay, authKey);
        var newHost = await Established(relay, authKey);
        Assert.Equal(1, relay.Intro.Registered);

        // The old circuit would never carry an introduction again: the relay closes it, and the new one stays.
        await oldHost.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step);
        await oldHost.Circuit.Completion.WaitAsync(TestTimeouts.Step);
        Assert.Equal(1, relay.Intro.Registered);

        var client = await relay.OpenClientAsync();
        await client.SendAsync(Introduce1(authKey));
        Assert.Equal(RelayCommand.Introduce2, (await newHost.ReceiveAsync()).Command);
    }

    [Fact]
    public async Task ClosingTheIntroCircuitRemovesItsRegistration()
    {
        await using var relay = new RoleHarness();
        using var authKey = NewAuthKey();
        var host = await Established(relay, authKey);

        await host.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
        await host.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step);
        Assert.Equal(0, relay.Intro.Registered);

        var client = await relay.OpenClientAsync();
        await client.SendAsync(Introduce1(authKey));
        Assert.Equal(IntroduceAckStatus.ServiceNotRecognized, (await client.ReceiveAsync()).Decode<IntroduceAckMessage>().Status);
    }

    internal static Key NewAuthKey() => Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });

    internal static async Task<RoleClient> Established(RoleHarness relay, Key authKey)
    {
        var host = await relay.OpenClientAsync();
        await host.SendAsync(EstablishIntro(host.BindingKey, authKey));
        Assert.Equal(RelayCommand.IntroEstablished, (await host.ReceiveAsync()).Command);
        return host;
    }

    /// <summary>
    /// Builds ESTABLISH_INTRO as rend-spec-v3 §3.1.1 says, written out here rather than through the relay's helper:
    /// MAC = SHA3-256(u64_be(32) · KH · bytes before the MAC); signature over prefix · bytes before the signature length.
    /// </summary>
    internal static EstablishIntroMessage EstablishIntro(byte[] bindingKey, Key authKey, byte[]? prefix = null)
    {
        var publicKey = authKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var draft = new EstablishIntroMessage(publicKey, null, new byte[32], new byte[64]);
        var bytes = draft.EncodeData();
        var mac = HandshakeAuth(bindingKey, bytes.AsSpan(0, draft.MacCoveredLength));
        mac.CopyTo(bytes, draft.MacCoveredLength);
        byte[] signed = [.. prefix ?? "hpc establish-intro cell v1"u8.ToArray(), .. bytes.AsSpan(0, draft.SignatureCoveredLength)];
        return new EstablishIntroMessage(publicKey, null, mac, SignatureAlgorithm.Ed25519.Sign(authKey, signed));
    }

    /// <summary>HANDSHAKE_AUTH = SHA3-256(u64_be(len(KH)) · KH · covered), written out as rend-spec-v3 §3.1.1 gives it.</summary>
    internal static byte[] HandshakeAuth(byte[] bindingKey, ReadOnlySpan<byte> covered)
    {
        var macInput = new byte[8 + bindingKey.Length + covered.Length];
        BinaryPrimitives.WriteUInt64BigEndian(macInput, (ulong)bindingKey.Length);
        bindingKey.CopyTo(macInput, 8);
        covered.CopyTo(macInput.AsSpan(8 + bindingKey.Length));
        return SHA3_256.HashData(macInput);
    }

    internal static Introduce1Message Introduce1(Key authKey) => new(
        authKey.PublicKey.Export(KeyBlobFormat.RawPublicKey),
        null,
        RandomNumberGenerator.GetBytes(32),
        RandomNumberGenerator.GetBytes(200),
        RandomNumberGenerator.GetBytes(32));
}
