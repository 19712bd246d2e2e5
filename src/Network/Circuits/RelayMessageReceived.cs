using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Protocol.Relay;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// A relay message a hop sent this party that something was waiting for (INTRO_ESTABLISHED, INTRODUCE_ACK, INTRODUCE2,
/// DIRECTORY_RESPONSE, …): the hop, the command and a copy of the data.
/// </summary>
/// <param name="Hop">The hop that sent it.</param>
/// <param name="Command">Its command.</param>
/// <param name="Data">Its data (the v1 relay cell's data field, copied out of the cell).</param>
public sealed record RelayMessageReceived(HopIndex Hop, RelayCommand Command, ReadOnlyMemory<byte> Data)
{
    /// <summary>Decodes the data as the message its command names; a typed error when it is malformed.</summary>
    public bool TryDecode([NotNullWhen(true)] out RelayMessage? message, out DecodeError error) =>
        RelayMessage.TryDecode(Command, Data.Span, out message, out error);

    /// <summary>Decodes the data as <typeparamref name="T"/>; false when it is malformed or another message.</summary>
    public bool TryDecode<T>([NotNullWhen(true)] out T? message, out DecodeError error)
        where T : RelayMessage
    {
        if (TryDecode(out var decoded, out error) && decoded is T typed)
        {
            message = typed;
            return true;
        }

        message = null;
        return false;
    }
}
