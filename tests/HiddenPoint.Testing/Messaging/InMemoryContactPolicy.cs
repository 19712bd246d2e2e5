using System.Collections.Concurrent;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Testing.Messaging;

/// <summary>An <see cref="IContactPolicy"/> over a dictionary: accepted contacts, blocked ones, everyone else a request.</summary>
public sealed class InMemoryContactPolicy : IContactPolicy
{
    private readonly ConcurrentDictionary<HiddenId, ContactDecision> _decisions = new();

    /// <summary>Makes <paramref name="contact"/> a known, accepted contact.</summary>
    public void Accept(HiddenId contact) => _decisions[contact] = ContactDecision.Accept;

    /// <summary>Blocks <paramref name="contact"/>.</summary>
    public void Block(HiddenId contact) => _decisions[contact] = ContactDecision.Refuse;

    /// <inheritdoc/>
    public ContactDecision Decide(HiddenId contact) =>
        _decisions.TryGetValue(contact, out var decision) ? decision : ContactDecision.Request;
}
