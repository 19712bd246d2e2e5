namespace HiddenPoint.Client.Directory;

/// <summary>
/// Which of the pinned authorities signed the consensus in use: a consensus counts with more than half of them, so a
/// report of 3 of 5 is a working network that has lost two authorities, worth telling the operator before a third goes.
/// </summary>
/// <param name="Signers">Pinned authorities whose valid signature the consensus carries.</param>
/// <param name="Pinned">Authorities this client trusts.</param>
/// <param name="Missing">The nicknames of the pinned authorities that did not sign, in configuration order.</param>
public sealed record ConsensusSignatureReport(int Signers, int Pinned, IReadOnlyList<string> Missing)
{
    /// <summary>Whether every pinned authority signed.</summary>
    public bool Complete => Missing.Count == 0;
}
