namespace HiddenPoint.Network.Links;

/// <summary>Why <see cref="LinkManager.GetOrLaunchAsync"/> gave no link.</summary>
public enum LinkLaunchFailure
{
    /// <summary>No failure: the result carries a link.</summary>
    None = 0,

    /// <summary>No endpoint of the target accepted a connection (refused, unreachable, reset).</summary>
    ConnectFailed,

    /// <summary>
    /// The connection was made but the link handshake failed, e.g. the relay holds another link key than the one
    /// the target names; <see cref="LinkLaunchResult.HandshakeFailure"/> says how.
    /// </summary>
    HandshakeFailed,

    /// <summary>Dialing and the handshake together took longer than <see cref="LinkManagerOptions.ConnectTimeout"/>
    /// (or the handshake longer than <see cref="LinkOptions.HandshakeTimeout"/>).</summary>
    Timeout,

    /// <summary>
    /// A new link would exceed <see cref="LinkManagerOptions.MaxLinks"/>, or the manager's owner refused it
    /// (<see cref="ILinkLaunchHandler.MayLaunch"/>).
    /// </summary>
    TooManyLinks,

    /// <summary>The manager was disposed before or during the launch.</summary>
    Stopped,

    /// <summary>A fault in this process's own code (logged at Warning); the launch was abandoned.</summary>
    InternalError,
}

/// <summary>The outcome of <see cref="LinkManager.GetOrLaunchAsync"/>: an open link, or why there is none.</summary>
/// <param name="Link">The open link (reused or launched), when <paramref name="Failure"/> is <see cref="LinkLaunchFailure.None"/>.</param>
/// <param name="Failure">Why there is no link, or <see cref="LinkLaunchFailure.None"/>.</param>
/// <param name="HandshakeFailure">For <see cref="LinkLaunchFailure.HandshakeFailed"/>, how the handshake ended; otherwise <see cref="LinkCloseReason.None"/>.</param>
public readonly record struct LinkLaunchResult(Link? Link, LinkLaunchFailure Failure, LinkCloseReason HandshakeFailure = LinkCloseReason.None)
{
    /// <summary>True when <see cref="Link"/> is set.</summary>
    public bool IsOpen => Link is not null;

    internal static LinkLaunchResult Opened(Link link) => new(link, LinkLaunchFailure.None);

    internal static LinkLaunchResult Failed(LinkLaunchFailure failure, LinkCloseReason handshake = LinkCloseReason.None) => new(null, failure, handshake);
}
