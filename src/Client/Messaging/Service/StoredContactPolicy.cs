using System.Collections.Concurrent;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Service;

/// <summary>
/// The engine's view of the user's contacts: the store's contact states, held in memory because the engine asks
/// synchronously for every incoming connection. Loaded once at start; every change to the contacts goes through the
/// <see cref="Messenger"/>, which writes the store first and then updates this view.
/// </summary>
internal sealed class StoredContactPolicy : IContactPolicy
{
    private readonly ConcurrentDictionary<HiddenId, ContactState> _states = new();

    public static async Task<StoredContactPolicy> LoadAsync(MessageStore store, CancellationToken cancellationToken)
    {
        var policy = new StoredContactPolicy();
        foreach (var contact in await store.ListContactsAsync(cancellationToken).ConfigureAwait(false))
        {
            policy.Set(contact.HiddenId, contact.State);
        }

        return policy;
    }

    public ContactDecision Decide(HiddenId contact) => _states.TryGetValue(contact, out var state)
        ? state switch
        {
            ContactState.Accepted => ContactDecision.Accept,
            ContactState.Blocked => ContactDecision.Refuse,
            _ => ContactDecision.Request,
        }
        : ContactDecision.Request;

    public void Set(HiddenId contact, ContactState state) => _states[contact] = state;

    public void Forget(HiddenId contact) => _states.TryRemove(contact, out _);
}
