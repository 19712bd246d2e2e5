using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// A whole decrypted relay cell body (FZ-03): the input, cut or zero-filled to 509 bytes, through the v1 header and
/// then the message decoder, accepting every command. An accepted cell re-encodes (zero padding) to a body that
/// decodes to the same message and stream.
/// </summary>
internal sealed class RelayCellHarness : Harness
{
    public override string Name => "relay-cell";

    public override string Description => "a decrypted 509-byte relay cell body: v1 header, then the message of its command";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var body = new byte[Cell.BodyLength];
        input[..Math.Min(input.Length, body.Length)].CopyTo(body);
        if (!RelayMessage.TryDecode(body, RelayCommandSet.All, out var message, out var streamId, out _))
        {
            return;
        }

        var again = new byte[Cell.BodyLength];
        RelayCell.Encode(again, message, streamId, ZeroPadding.Instance);
        CheckAccepted(RelayMessage.TryDecode(again, RelayCommandSet.All, out var second, out var secondStream, out _), "relay cell");
        CheckSame(message.EncodeData(), second.EncodeData(), "relay cell");
        if (secondStream != streamId || second.Command != message.Command)
        {
            throw new FuzzInvariantException("relay cell: the stream id or command changed in a round trip.");
        }
    }

    public override IEnumerable<byte[]> Seeds()
    {
        foreach (var message in Samples.AllMessages())
        {
            var body = new byte[Cell.BodyLength];
            RelayCell.Encode(body, message, Samples.StreamFor(message.Command), ZeroPadding.Instance);
            yield return body;
        }

        yield return [];
    }
}
