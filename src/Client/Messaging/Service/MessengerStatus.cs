using HiddenPoint.Client.Directory;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Service;

/// <summary>A snapshot of the messenger for the user: the network, the hidden point and the messages.</summary>
/// <param name="HiddenId">This user's hidden-id.</param>
/// <param name="ConsensusValidAfter">When the consensus in use became valid; null before the first one.</param>
/// <param name="RelaysListed">Relays in that consensus.</param>
/// <param name="ConsensusSignatures">Which pinned authorities signed that consensus; null before the first one.</param>
/// <param name="PrimaryGuards">The primary entry guards, by nickname where the consensus lists them.</param>
/// <param name="Published">Whether the hidden point's descriptor has been stored at an HSDir since start.</param>
/// <param name="IntroductionPoints">Introduction points established now.</param>
/// <param name="Publication">How many HSDirs hold the descriptors by their latest answers; degraded when none does.</param>
/// <param name="Counts">Messages and contacts in the store.</param>
/// <param name="Conversations">Each conversation the engine ran since start and where its connection stands.</param>
public sealed record MessengerStatus(
    HiddenId HiddenId,
    DateTimeOffset? ConsensusValidAfter,
    int RelaysListed,
    ConsensusSignatureReport? ConsensusSignatures,
    IReadOnlyList<string> PrimaryGuards,
    bool Published,
    int IntroductionPoints,
    DescriptorPublication Publication,
    StoreCounts Counts,
    IReadOnlyList<ConversationState> Conversations);

/// <summary>Where one conversation stands (the latest <see cref="ConversationStatusChanged"/>).</summary>
public sealed record ConversationState(HiddenId Contact, ConversationStatus Status, WaitReason Reason, DateTimeOffset? NextAttemptAt);
