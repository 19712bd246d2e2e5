using System.Security.Cryptography;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Relay.HiddenPoints;

namespace HiddenPoint.Relay.Tests.HiddenPoints;

/// <summary>
/// The roles' hostile inputs, one after another on one relay whose log is captured: each is refused in its own way
/// (an answer, END, or the circuit closed), the relay keeps serving, and nothing a peer sent reaches a
/// Warning-with-stack-trace path. Whole relays with the engine are checked the same way in the integration tests.
/// </summary>
public sealed class HostileRoleInputTests
{
    [Fact]
    public async Task No_hostile_role_input_reaches_a_warning_with_a_stack_trace()
    {
        await using var relay = new RoleHarness(descriptors: new HsDirStoreDescriptors(new HsDirStore(timeProvider: TimeProvider.System)));
        using var authKey = IntroductionPointRoleTests.NewAuthKey();
        var host = await IntroductionPointRoleTests.Established(relay, authKey);

        // Noise in place of every role message, on a fresh circuit each.
        foreach (var command in new[] { RelayCommand.EstablishIntro, RelayCommand.EstablishRendezvous, RelayCommand.Rendezvous1 })
        {
            foreach (var length in new[] { 0, 1, 19, 20, 84, 300, RelayCell.MaxDataWithoutStream })
            {
                var circuit = await relay.OpenClientAsync();
                await circuit.SendRawAsync(command, RandomNumberGenerator.GetBytes(length));
                await AnsweredOrClosedAsync(circuit);
                await circuit.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
            }
        }

        // ESTABLISH_INTRO well formed but with a bad MAC, a bad signature, or an auth key that is no curve point.
        var badMac = await relay.OpenClientAsync();
        await badMac.SendAsync(IntroductionPointRoleTests.EstablishIntro(RandomNumberGenerator.GetBytes(32), authKey));
        Assert.Equal(CircuitCloseReason.ProtocolViolation, await badMac.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        var badSignature = await relay.OpenClientAsync();
        await badSignature.SendAsync(IntroductionPointRoleTests.EstablishIntro(badSignature.BindingKey, authKey, prefix: "another prefix"u8.ToArray()));
        Assert.Equal(CircuitCloseReason.ProtocolViolation, await badSignature.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        var notAPoint = await relay.OpenClientAsync();
        await notAPoint.SendAsync(new EstablishIntroMessage(Enumerable.Repeat((byte)0xFF, 32).ToArray(), null, new byte[32], new byte[64]));
        Assert.Equal(CircuitCloseReason.ProtocolViolation, await notAPoint.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));

        // INTRODUCE1: noise, an unknown service, and a second one on the same circuit.
        for (var i = 0; i < 3; i++)
        {
            var client = await relay.OpenClientAsync();
            await client.SendRawAsync(RelayCommand.Introduce1, i == 0
                ? RandomNumberGenerator.GetBytes(400)
                : IntroductionPointRoleTests.Introduce1(i == 1 ? IntroductionPointRoleTests.NewAuthKey() : authKey).EncodeData());
            Assert.Equal(RelayCommand.IntroduceAck, (await client.ReceiveAsync()).Command);
            await client.SendAsync(IntroductionPointRoleTests.Introduce1(authKey));
            Assert.Equal(CircuitCloseReason.ProtocolViolation, await client.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        }

        // A replayed cookie and an unknown one.
        var cookie = RandomNumberGenerator.GetBytes(20);
        var waiting = await relay.OpenClientAsync();
        await waiting.SendAsync(new EstablishRendezvousMessage(cookie));
        Assert.Equal(RelayCommand.RendezvousEstablished, (await waiting.ReceiveAsync()).Command);
        var replay = await relay.OpenClientAsync();
        await replay.SendAsync(new EstablishRendezvousMessage(cookie));
        Assert.Equal(CircuitCloseReason.ProtocolViolation, await replay.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));
        var unknown = await relay.OpenClientAsync();
        await unknown.SendAsync(new Rendezvous1Message(RandomNumberGenerator.GetBytes(20), new byte[32], new byte[32]));
        Assert.Equal(CircuitCloseReason.ProtocolViolation, await unknown.RelaySide.Closed.Task.WaitAsync(TestTimeouts.Step));

        await ForgedDescriptorsAsync(relay);
        await BadDirectoryStreamsAsync(relay);

        // The introduction point still introduces; the roles logged no fault.
        var later = await relay.OpenClientAsync();
        await later.SendAsync(IntroductionPointRoleTests.Introduce1(authKey));
        Assert.Equal(RelayCommand.Introduce2, (await host.ReceiveAsync()).Command);
        Assert.Equal(IntroduceAckStatus.Success, (await later.ReceiveAsync()).Decode<IntroduceAckMessage>().Status);
        var faults = relay.Logs.WarningsWithExceptions;
        Assert.True(faults.Count == 0, "faults logged:" + Environment.NewLine + string.Join(Environment.NewLine, faults));
    }

    /// <summary>Waits until the relay answered on the circuit or closed it: either way it has handled what was sent.</summary>
    private static async Task AnsweredOrClosedAsync(RoleClient client) =>
        await Task.WhenAny(client.RelaySide.Closed.Task, client.Received.Messages.Reader.WaitToReadAsync().AsTask()).WaitAsync(TestTimeouts.Step);

    private static async Task ForgedDescriptorsAsync(RoleHarness relay)
    {
        using var hiddenPoint = new TestHiddenPoint();
        var blinded = hiddenPoint.BlindedKey;
        var genuine = hiddenPoint.Descriptor(3);
        var forged = TestHiddenPoint.Forge(genuine);

        var client = await relay.OpenClientAsync();
        ushort stream = 1;
        foreach (var (key, body) in new (byte[], byte[])[]
        {
            (blinded, forged),
            (RandomNumberGenerator.GetBytes(32), genuine),
            (blinded, RandomNumberGenerator.GetBytes(2_000)),
            (blinded, genuine[..(genuine.Length / 3)]),
        })
        {
            await client.SendAsync(new DescriptorStoreMessage(key, body.Length), stream);
            for (var offset = 0; offset < body.Length; offset += RelayCell.MaxDataWithStream)
            {
                await client.SendRawAsync(RelayCommand.Data, body.AsMemory(offset, Math.Min(RelayCell.MaxDataWithStream, body.Length - offset)), stream);
            }

            var answer = await client.ReceiveAsync();
            Assert.Equal(RelayCommand.DirectoryResponse, answer.Command);
            Assert.NotEqual(DirectoryStatus.Ok, answer.Decode<DirectoryResponseMessage>().Status);
            Assert.Equal(RelayCommand.End, (await client.ReceiveAsync()).Command);
            stream++;
        }
    }

    private static async Task BadDirectoryStreamsAsync(RoleHarness relay)
    {
        // Noise as each directory command, more data than an upload declared, and more streams than allowed.
        foreach (var (command, data) in new (RelayCommand, byte[])[]
        {
            (RelayCommand.DirectoryRequest, RandomNumberGenerator.GetBytes(100)),
            (RelayCommand.DescriptorFetch, RandomNumberGenerator.GetBytes(5)),
            (RelayCommand.DescriptorStore, RandomNumberGenerator.GetBytes(5)),
            (RelayCommand.DescriptorStore, [.. RandomNumberGenerator.GetBytes(32), 0x7F, 0xFF, 0xFF, 0xFF]),
        })
        {
            var client = await relay.OpenClientAsync();
            await client.SendRawAsync(command, data, stream: 1);
            await AnsweredOrClosedAsync(client);
            await client.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
        }

        var overlong = await relay.OpenClientAsync();
        await overlong.SendAsync(new DescriptorStoreMessage(new byte[32], 10), stream: 1);
        await overlong.SendRawAsync(RelayCommand.Data, RandomNumberGenerator.GetBytes(400), stream: 1);
        Assert.Equal(DirectoryStatus.BadRequest, (await overlong.ReceiveAsync()).Decode<DirectoryResponseMessage>().Status);

        var many = await relay.OpenClientAsync();
        for (ushort stream = 1; stream <= 20; stream++)
        {
            await many.SendAsync(new DescriptorStoreMessage(new byte[32], 1_000), stream);
        }

        Assert.Equal(RelayCommand.End, (await many.ReceiveAsync()).Command);
        await many.SendRawAsync(RelayCommand.Data, RandomNumberGenerator.GetBytes(10), stream: 999);
        await many.Circuit.CloseAsync().WaitAsync(TestTimeouts.Step);
    }
}
