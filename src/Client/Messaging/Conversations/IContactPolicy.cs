using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Conversations;

/// <summary>
/// The user's decision about a sender, asked once per incoming connection after its Hello verified. The store keeps
/// contacts, requests and blocks; this is the engine's only view of them.
/// </summary>
public interface IContactPolicy
{
    /// <summary>What to do with a connection from <paramref name="contact"/>.</summary>
    ContactDecision Decide(HiddenId contact);
}
