using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// Relay message data (FZ-03, FZ-04, FZ-11): the first input byte picks one of <see cref="_commands"/> (every command
/// number, known or not, for <c>relay-message</c>), the rest is the message data given to
/// <see cref="RelayMessage.TryDecode(RelayCommand, ReadOnlySpan{byte}, out RelayMessage?, out Protocol.Wire.DecodeError)"/>.
/// An accepted message must re-encode to data that decodes to the same encoding.
/// </summary>
internal sealed class RelayMessageHarness : Harness
{
    private readonly string _name;
    private readonly string _description;
    private readonly RelayCommand[] _commands;

    public RelayMessageHarness(string name, string description, params RelayCommand[] commands)
    {
        _name = name;
        _description = description;
        _commands = commands;
    }

    /// <summary>Every command number, 0 to 255.</summary>
    public static RelayCommand[] AllCommands
    {
        get
        {
            var all = new RelayCommand[256];
            for (var i = 0; i < all.Length; i++)
            {
                all[i] = (RelayCommand)i;
            }

            return all;
        }
    }

    public override string Name => _name;

    public override string Description => _description;

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var command = _commands[input[0] % _commands.Length];
        if (!RelayMessage.TryDecode(command, input[1..], out var message, out _))
        {
            return;
        }

        if (message.Command != command)
        {
            throw new FuzzInvariantException("The decoded message has another command.");
        }

        var encoded = message.EncodeData();
        CheckAccepted(RelayMessage.TryDecode(command, encoded, out var again, out _), command.ToString());
        CheckSame(encoded, again.EncodeData(), command.ToString());
    }

    public override IEnumerable<byte[]> Seeds()
    {
        foreach (var message in Samples.AllMessages())
        {
            var index = Array.IndexOf(_commands, message.Command);
            if (index >= 0)
            {
                yield return [(byte)index, .. message.EncodeData()];
            }
        }

        yield return [0];
        yield return [0, 0xFF, 0xFF];
    }
}
