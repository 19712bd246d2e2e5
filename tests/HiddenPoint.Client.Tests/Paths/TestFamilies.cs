using HiddenPoint.Client.Paths;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Tests.Paths;

/// <summary>
/// A family source for tests: each relay's declared members, and the mutual rule the consensus field will be wired to
/// (A and B are one family when each lists the other).
/// </summary>
internal sealed class TestFamilies : IRelayFamilies
{
    private readonly Dictionary<RelayId, HashSet<RelayId>> _declared = [];

    public void Declare(RelayStatus relay, params RelayStatus[] members)
    {
        if (!_declared.TryGetValue(relay.Id, out var set))
        {
            _declared[relay.Id] = set = [];
        }

        foreach (var member in members)
        {
            set.Add(member.Id);
        }
    }

    public bool AreFamily(RelayStatus a, RelayStatus b) =>
        a.Id == b.Id
        || (_declared.TryGetValue(a.Id, out var ofA) && ofA.Contains(b.Id) && _declared.TryGetValue(b.Id, out var ofB) && ofB.Contains(a.Id));
}
