using HiddenPoint.Client.Api.Contract;

namespace HiddenPoint.Testnet.Chaos;

/// <summary>
/// One conversation end's loss of its connection after a fault: <see cref="Detection"/> from the fault until the
/// daemon announced the conversation no longer connected, <see cref="Rebuild"/> from then until it announced it
/// connected again (null when it never did).
/// </summary>
internal sealed record ConnectionOutage(string User, string Contact, TimeSpan Detection, TimeSpan? Rebuild)
{
    /// <summary>
    /// The outages a fault at <paramref name="at"/> caused: for each user and contact, the first change from Connected
    /// to another status between <paramref name="at"/> and <paramref name="until"/> (the next fault), and the first
    /// change back to Connected after it. Conversations that stayed connected (the fault was not on their circuits)
    /// have none; one still reconnecting after an earlier fault is that fault's, not this one's.
    /// </summary>
    public static List<ConnectionOutage> After(DateTimeOffset at, DateTimeOffset until, IReadOnlyList<StatusTransition> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        var outages = new List<ConnectionOutage>();
        foreach (var conversation in transitions.GroupBy(t => (t.User, t.Contact)))
        {
            var ordered = conversation.OrderBy(t => t.At).ToList();
            bool LeftConnected(int i) =>
                i > 0 && ordered[i].At >= at && ordered[i].At < until
                && ordered[i].Status != ApiConversationStatus.Connected && ordered[i - 1].Status == ApiConversationStatus.Connected;
            var lost = Enumerable.Range(0, ordered.Count).FirstOrDefault(LeftConnected, -1);

            if (lost < 0)
            {
                continue;
            }

            var back = ordered.Skip(lost + 1).FirstOrDefault(t => t.Status == ApiConversationStatus.Connected);
            outages.Add(new ConnectionOutage(conversation.Key.User, conversation.Key.Contact, ordered[lost].At - at, back?.At - ordered[lost].At));
        }

        return outages;
    }
}
