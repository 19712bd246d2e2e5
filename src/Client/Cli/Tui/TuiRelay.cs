using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>One relay of the consensus, as the relay list and its details show it.</summary>
/// <param name="Nickname">Its nickname.</param>
/// <param name="Identity">Its relay identity (public), as documents spell it.</param>
/// <param name="Addresses">Where it listens, <c>a.b.c.d:port</c>.</param>
/// <param name="Flags">The flags the authorities gave it.</param>
/// <param name="BandwidthWeight">Its weight in path selection.</param>
public sealed record TuiRelay(string Nickname, string Identity, IReadOnlyList<string> Addresses, RelayFlags Flags, uint BandwidthWeight);
