namespace HiddenPoint.Client.Api.Contract;

/// <summary>A snapshot of the daemon.</summary>
/// <param name="HiddenId">This user's hidden-id.</param>
/// <param name="ProcessId">The daemon's process id.</param>
/// <param name="Version">The daemon's version.</param>
/// <param name="ConsensusValidAfter">When the consensus in use became valid; null before the first one.</param>
/// <param name="RelaysListed">Relays in that consensus.</param>
/// <param name="ConsensusSigners">Pinned authorities whose signature that consensus carries (0 before the first one).</param>
/// <param name="AuthoritiesPinned">Authorities the daemon trusts; a consensus counts with more than half of them.</param>
/// <param name="AuthoritiesNotSigning">Nicknames of the pinned authorities that did not sign that consensus.</param>
/// <param name="PrimaryGuards">The primary entry guards, by nickname where listed.</param>
/// <param name="Published">Whether the hidden point's descriptor was stored at a directory since start.</param>
/// <param name="IntroductionPoints">Introduction points established now.</param>
/// <param name="DescriptorCopies">Descriptor uploads (one per HSDir and time period) whose latest answer was "stored".</param>
/// <param name="DescriptorTargets">Descriptor uploads in the latest answers; copies 0 of more than 0 is "degraded".</param>
/// <param name="DescriptorStoredAt">When an HSDir last stored a descriptor of this hidden point; null before the first.</param>
/// <param name="Counts">Messages and contacts in the store.</param>
/// <param name="Conversations">Each conversation run since start and where its connection stands.</param>
public sealed record ApiStatus(
    string HiddenId,
    int ProcessId,
    string Version,
    DateTimeOffset? ConsensusValidAfter,
    int RelaysListed,
    int ConsensusSigners,
    int AuthoritiesPinned,
    IReadOnlyList<string> AuthoritiesNotSigning,
    IReadOnlyList<string> PrimaryGuards,
    bool Published,
    int IntroductionPoints,
    int DescriptorCopies,
    int DescriptorTargets,
    DateTimeOffset? DescriptorStoredAt,
    ApiCounts Counts,
    IReadOnlyList<ApiConversation> Conversations);

/// <summary>Counts for a status display.</summary>
/// <param name="Queued">Outgoing messages never written to a connection.</param>
/// <param name="Sent">Outgoing messages written, not yet acknowledged.</param>
/// <param name="Delivered">Outgoing messages acknowledged.</param>
/// <param name="Failed">Outgoing messages given up.</param>
/// <param name="Received">Incoming messages.</param>
/// <param name="Contacts">Accepted contacts.</param>
/// <param name="Requests">Requests waiting for an answer.</param>
public sealed record ApiCounts(long Queued, long Sent, long Delivered, long Failed, long Received, long Contacts, long Requests);

/// <summary>Where one conversation stands.</summary>
/// <param name="Contact">The contact's hidden-id.</param>
/// <param name="Status">Idle, connecting, connected or waiting for the contact.</param>
/// <param name="Reason">Why it waits.</param>
/// <param name="NextAttemptAt">When it waits: the next attempt.</param>
public sealed record ApiConversation(string Contact, ApiConversationStatus Status, ApiWaitReason Reason, DateTimeOffset? NextAttemptAt);
