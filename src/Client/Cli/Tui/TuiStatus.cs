namespace HiddenPoint.Client.Cli.Tui;

/// <summary>What the status line shows.</summary>
/// <param name="ConsensusValidAfter">When the consensus in use became valid; null before the first one.</param>
/// <param name="RelaysListed">Relays in that consensus.</param>
/// <param name="PrimaryGuards">Primary entry guards chosen.</param>
/// <param name="IntroductionPoints">Introduction points of the hidden point established now (its circuits' health).</param>
/// <param name="IntroductionPointsWanted">How many introduction points the hidden point keeps.</param>
/// <param name="Published">Whether the hidden point's descriptor has been stored at an HSDir since start.</param>
/// <param name="ConnectedConversations">Conversations with an open connection now.</param>
/// <param name="WaitingConversations">Conversations waiting for their contact.</param>
/// <param name="Pending">Outgoing messages not yet delivered (queued or sent).</param>
/// <param name="Delivered">Outgoing messages delivered.</param>
/// <param name="Failed">Outgoing messages given up.</param>
/// <param name="Requests">Contact requests waiting for an answer.</param>
/// <param name="PublicationDegraded">Descriptor uploads were made and no HSDir's latest answer stored one.</param>
public sealed record TuiStatus(
    DateTimeOffset? ConsensusValidAfter,
    int RelaysListed,
    int PrimaryGuards,
    int IntroductionPoints,
    int IntroductionPointsWanted,
    bool Published,
    int ConnectedConversations,
    int WaitingConversations,
    long Pending,
    long Delivered,
    long Failed,
    long Requests,
    bool PublicationDegraded = false);
