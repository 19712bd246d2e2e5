using System.Buffers;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Tests;

/// <summary>
/// One million random and mutated inputs across every decoder, from a fixed seed. Each decoder must either
/// succeed (and then its value must re-encode and decode to the same bytes) or return a typed error whose offset
/// lies inside the input. Any exception fails the test with the iteration and the input.
/// </summary>
public class FuzzTests
{
    private const int Iterations = 1_000_000;
    private const int Seed = 0x4850_0001;

    private enum Target
    {
        RelayBody,
        RelayData,
        Cell,
        CellBody,
        Plaintext,
        LinkSpecifiers,
    }

    private sealed record Corpus(Target Target, RelayCommand Command, byte[] Bytes);

    private static List<Corpus> BuildCorpus()
    {
        var corpus = new List<Corpus>();
        foreach (var message in Samples.AllMessages())
        {
            corpus.Add(new Corpus(Target.RelayBody, message.Command, Samples.Body(message)));
            corpus.Add(new Corpus(Target.RelayData, message.Command, message.EncodeData()));
        }

        void AddCell(CircuitId? id, CellCommand command, Action<byte[]> fill)
        {
            var cell = new byte[Cell.Length];
            var body = new byte[Cell.BodyLength];
            fill(body);
            body.CopyTo(Cell.WriteHeader(cell, id, command));
            corpus.Add(new Corpus(Target.Cell, default, cell));
            corpus.Add(new Corpus(Target.CellBody, (RelayCommand)command, body));
        }

        AddCell(new CircuitId(0x8000_0001), CellCommand.Create2, b => new Create2Body(HandshakeType.NtorV3, Samples.Bytes(120, 1)).Encode(b));
        AddCell(new CircuitId(0x8000_0001), CellCommand.Created2, b => new Created2Body(Samples.Bytes(80, 2)).Encode(b));
        AddCell(new CircuitId(7), CellCommand.Destroy, b => DestroyBody.Encode(DestroyReason.Protocol, b));
        AddCell(null, CellCommand.Padding, b => PaddingBody.Encode(b));
        AddCell(new CircuitId(7), CellCommand.Relay, b => Samples.Body(new DataMessage([1, 2, 3])).CopyTo(b, 0));
        AddCell(new CircuitId(7), CellCommand.RelayEarly, b => Samples.Body(new Extend2Message(Samples.Target, HandshakeType.NtorV3, [1])).CopyTo(b, 0));

        var plaintext = new byte[Samples.Plaintext.UnpaddedLength + 16];
        Samples.Plaintext.Encode(plaintext);
        corpus.Add(new Corpus(Target.Plaintext, default, plaintext));
        var specifiers = new byte[Samples.Target.EncodedLength];
        var writer = new WireWriter(specifiers);
        Samples.Target.Encode(ref writer);
        corpus.Add(new Corpus(Target.LinkSpecifiers, default, specifiers));
        return corpus;
    }

    [Fact]
    public void A_million_hostile_inputs_give_only_values_or_typed_errors()
    {
        var random = new Random(Seed);
        var corpus = BuildCorpus();
        var commands = Enum.GetValues<RelayCommand>();
        var buffer = new byte[1024];
        var body = new byte[Cell.BodyLength];
        var cellBuffer = new byte[Cell.Length];
        var padding = new CountingPaddingSource();
        long successes = 0;
        long failures = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var seed = corpus[random.Next(corpus.Count)];
            var length = Mutate(random, seed.Bytes, buffer);
            var input = buffer.AsSpan(0, length);
            try
            {
                bool ok = seed.Target switch
                {
                    Target.RelayBody => FeedRelayBody(Resize(input, body), padding),
                    // Half the time the data goes to its own command's decoder, otherwise to any command's.
                    Target.RelayData => FeedRelayData(random.Next(2) == 0 ? seed.Command : commands[random.Next(commands.Length)], input),
                    Target.Cell => FeedCell(input, cellBuffer, random.Next(2) == 0 ? LinkSide.Initiator : LinkSide.Responder),
                    Target.CellBody => FeedCellBody((CellCommand)seed.Command, input),
                    Target.Plaintext => FeedPlaintext(input),
                    _ => FeedLinkSpecifiers(input),
                };
                if (ok)
                {
                    successes++;
                }
                else
                {
                    failures++;
                }
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException(
                    $"Iteration {i}, target {seed.Target}, command {seed.Command}: {Convert.ToHexString(input)}", ex);
            }
        }

        // The corpus and mutations must reach both outcomes often, or the test proves little.
        Assert.True(successes > Iterations / 20, $"only {successes} successful decodes");
        Assert.True(failures > Iterations / 20, $"only {failures} typed errors");
    }

    private static int Mutate(Random random, byte[] seed, byte[] output)
    {
        var kind = random.Next(6);
        if (kind == 0)
        {
            // Pure noise of a random length (sometimes the lengths the fixed-size decoders want).
            var length = random.Next(4) switch
            {
                0 => Cell.Length,
                1 => Cell.BodyLength,
                _ => random.Next(600),
            };
            random.NextBytes(output.AsSpan(0, length));
            return length;
        }

        seed.CopyTo(output, 0);
        var size = seed.Length;
        switch (kind)
        {
            case 1:
                // Bit flips.
                for (var n = random.Next(1, 9); n > 0 && size > 0; n--)
                {
                    output[random.Next(size)] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 2:
                // Boundary bytes: the values that break length fields and counts.
                for (var n = random.Next(1, 4); n > 0 && size > 0; n--)
                {
                    output[random.Next(size)] = random.Next(4) switch
                    {
                        0 => 0x00,
                        1 => 0xFF,
                        2 => 0x01,
                        _ => 0x80,
                    };
                }

                break;
            case 3:
                // Truncation.
                size = random.Next(size + 1);
                break;
            case 4:
                // Extension with random bytes.
                var extra = random.Next(1, 64);
                random.NextBytes(output.AsSpan(size, extra));
                size += extra;
                break;
            default:
                // Truncate, then flip.
                size = random.Next(size + 1);
                if (size > 0)
                {
                    output[random.Next(size)] ^= (byte)(1 << random.Next(8));
                }

                break;
        }

        return size;
    }

    private static ReadOnlySpan<byte> Resize(ReadOnlySpan<byte> input, byte[] body)
    {
        var copied = Math.Min(input.Length, body.Length);
        input[..copied].CopyTo(body);
        body.AsSpan(copied).Clear();
        return body;
    }

    private static void AssertTyped(DecodeError error, int inputLength)
    {
        if (!error.IsError || error.Offset < 0 || error.Offset > inputLength || error.Message.Length == 0)
        {
            Assert.Fail($"untyped or out-of-range error {error} for input of {inputLength} bytes");
        }
    }

    private static bool FeedRelayBody(ReadOnlySpan<byte> body, IPaddingSource padding)
    {
        var parsed = RelayCell.TryParse(body, out var view, out var error);
        if (!parsed)
        {
            AssertTyped(error, body.Length);
        }
        else if (view.Data.Length > RelayCell.MaxDataLength(view.Command))
        {
            Assert.Fail("view data longer than the command allows");
        }

        if (!RelayMessage.TryDecode(body, RelayCommandSet.All, out var message, out var streamId, out error))
        {
            AssertTyped(error, body.Length);
            return false;
        }

        // A decoded message re-encodes into a cell that decodes to the same message bytes.
        var again = new byte[Cell.BodyLength];
        RelayCell.Encode(again, message, streamId, padding);
        if (!RelayMessage.TryDecode(again, RelayCommandSet.All, out var second, out var secondStream, out error))
        {
            Assert.Fail($"re-encoded {message.Command} does not decode: {error}");
        }

        Assert.Equal(streamId, secondStream);
        Assert.Equal(message.EncodeData(), second.EncodeData());
        return true;
    }

    private static bool FeedRelayData(RelayCommand command, ReadOnlySpan<byte> data)
    {
        if (!RelayMessage.TryDecode(command, data, out var message, out var error))
        {
            AssertTyped(error, data.Length);
            return false;
        }

        var encoded = message.EncodeData();
        if (!RelayMessage.TryDecode(command, encoded, out var second, out error))
        {
            Assert.Fail($"re-encoded {command} does not decode: {error}");
        }

        Assert.Equal(encoded, second.EncodeData());
        return true;
    }

    private static bool FeedCell(ReadOnlySpan<byte> input, byte[] cellBuffer, LinkSide side)
    {
        var sequence = new ReadOnlySequence<byte>(input.ToArray());
        var status = Cell.TryRead(ref sequence, cellBuffer, side, out var header, out var error);
        switch (status)
        {
            case CellDecodeStatus.NeedMore:
                Assert.True(input.Length < Cell.Length);
                Assert.False(error.IsError);
                return false;
            case CellDecodeStatus.Malformed:
                AssertTyped(error, Cell.Length);
                return false;
            default:
                Assert.Equal(input.Length - Cell.Length, sequence.Length);
                Assert.True(CellCommands.IsKnown(header.Command));
                var body = cellBuffer.AsSpan(Cell.BodyOffset, Cell.BodyLength);
                FeedCellBody(header.Command, body);
                return true;
        }
    }

    private static bool FeedCellBody(CellCommand command, ReadOnlySpan<byte> body)
    {
        bool ok;
        DecodeError error;
        var reencoded = new byte[Cell.BodyLength];
        switch (command)
        {
            case CellCommand.Create2:
                ok = Create2Body.TryDecode(body, out var create, out error);
                create?.Encode(reencoded);
                break;
            case CellCommand.Created2:
                ok = Created2Body.TryDecode(body, out var created, out error);
                created?.Encode(reencoded);
                break;
            case CellCommand.Destroy:
                ok = DestroyBody.TryDecode(body, out var reason, out error);
                if (ok)
                {
                    DestroyBody.Encode(reason, reencoded);
                }

                break;
            default:
                return true;
        }

        if (!ok)
        {
            AssertTyped(error, body.Length);
            return false;
        }

        // These bodies have a canonical form: zero padding is enforced, so re-encoding gives the same bytes.
        if (body.Length == Cell.BodyLength)
        {
            Assert.True(body.SequenceEqual(reencoded));
        }

        return true;
    }

    private static bool FeedPlaintext(ReadOnlySpan<byte> input)
    {
        if (!IntroducePlaintext.TryDecode(input, out var plaintext, out var error))
        {
            AssertTyped(error, input.Length);
            return false;
        }

        var again = new byte[Math.Max(input.Length, plaintext.UnpaddedLength)];
        plaintext.Encode(again);
        Assert.True(IntroducePlaintext.TryDecode(again, out _, out error), error.ToString());
        return true;
    }

    private static bool FeedLinkSpecifiers(ReadOnlySpan<byte> input)
    {
        var reader = new WireReader(input);
        if (!LinkSpecifiers.TryDecode(ref reader, out var specifiers, out var error))
        {
            AssertTyped(error, input.Length);
            return false;
        }

        var again = new byte[specifiers.EncodedLength];
        var writer = new WireWriter(again);
        specifiers.Encode(ref writer);
        Assert.Equal(again.Length, writer.Written);
        return true;
    }
}
