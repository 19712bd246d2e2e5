using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>
/// Counts the distinct unknown senders admitted as contact requests in fixed windows of
/// <see cref="MessagingOptions.ContactRequestWindow"/>; a sender already admitted in the current window passes again
/// (its reconnections and rotations are not new requests). Shared by every incoming connection, so it locks.
/// </summary>
internal sealed class ContactRequestLimiter(int maxPerWindow, TimeSpan window, TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private readonly HashSet<HiddenId> _admitted = [];
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;

    /// <summary>Admits <paramref name="contact"/> or not; <paramref name="isNew"/> is true the first time in a window.</summary>
    public bool TryAdmit(HiddenId contact, out bool isNew)
    {
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            if (now - _windowStart >= window)
            {
                _windowStart = now;
                _admitted.Clear();
            }

            if (_admitted.Contains(contact))
            {
                isNew = false;
                return true;
            }

            isNew = _admitted.Count < maxPerWindow && _admitted.Add(contact);
            return isNew;
        }
    }
}
