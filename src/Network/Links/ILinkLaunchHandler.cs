using System.Net;

namespace HiddenPoint.Network.Links;

/// <summary>
/// What the program that owns a <see cref="LinkManager"/> decides and learns about the links it launches. A relay
/// counts them with its other links, answers the CREATE2s its peers send on them, and caps all its links together; a
/// client needs none of it. Called off the manager's lock, from the launching task; implementations return at once.
/// </summary>
public interface ILinkLaunchHandler
{
    /// <summary>
    /// Asked before each new launch, after <see cref="LinkManagerOptions.MaxLinks"/>: false refuses it with
    /// <see cref="LinkLaunchFailure.TooManyLinks"/> (a relay counts its accepted links against one cap).
    /// </summary>
    bool MayLaunch();

    /// <summary>The handler of a link about to be launched to <paramref name="endpoint"/> (null: the peer may not create circuits).</summary>
    ILinkHandler? CreateHandler(IPEndPoint endpoint);

    /// <summary>A launched link is open; called before any caller gets it.</summary>
    void OnLaunched(Link link, IPEndPoint endpoint);
}
