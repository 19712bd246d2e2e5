using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>
/// Opens a new connection to a contact's hidden point (a new rendezvous circuit and a stream on it). Each call is a
/// new connection: rotation depends on it.
/// </summary>
public interface IConversationDialer
{
    /// <summary>Connects to <paramref name="contact"/>; throws when it cannot be reached.</summary>
    Task<ConversationTransport> DialAsync(HiddenId contact, CancellationToken cancellationToken);
}
