using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>
/// Messages received while their conversation was not on screen, per contact, since the UI started (the store keeps no
/// read marks). Opening a conversation reads it. Owned by the UI thread.
/// </summary>
public sealed class UnreadCounts
{
    private readonly Dictionary<HiddenId, int> _unread = [];

    /// <summary>All unread messages.</summary>
    public int Total { get; private set; }

    /// <summary>Counts a message from <paramref name="contact"/> unless its conversation is the one on screen.</summary>
    public void Received(HiddenId contact, HiddenId? onScreen)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (contact == onScreen)
        {
            return;
        }

        _unread[contact] = Of(contact) + 1;
        Total++;
    }

    /// <summary>Marks the conversation with <paramref name="contact"/> read.</summary>
    public void Read(HiddenId contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (_unread.Remove(contact, out var count))
        {
            Total -= count;
        }
    }

    /// <summary>Unread messages from <paramref name="contact"/>.</summary>
    public int Of(HiddenId contact) => _unread.GetValueOrDefault(contact);
}
