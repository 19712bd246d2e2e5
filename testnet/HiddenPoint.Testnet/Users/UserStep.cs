namespace HiddenPoint.Testnet.Users;

/// <summary>
/// The testnet's users: the step that comes after the relays, once <c>hpc-client</c> has its <c>init</c>,
/// <c>daemon</c>, <c>send</c> and <c>listen</c> verbs (issue 16; they are being built). Until then
/// <c>run --users M</c> with M &gt; 0 is refused before anything starts, rather than starting a network without them.
/// </summary>
internal static class UserStep
{
    /// <summary>False until hpc-client can be driven as below; <see cref="RunCommand"/> refuses <c>--users</c> while false.</summary>
    public const bool Available = false;

    /// <summary>What <c>--users</c> says while users cannot be started.</summary>
    public const string NotAvailable =
        "--users: users cannot be started yet: hpc-client's init and daemon verbs are not ready. " +
        "Run without --users for a network of authorities and relays.";

    /// <summary>
    /// EXTENSION POINT, called by <see cref="RunCommand"/> once the consensus lists every relay. For each of
    /// <paramref name="count"/> users (alice, bob, then user3, user4, ...), to be written with hpc-client's verbs:
    /// <list type="number">
    /// <item>make <c>STATE/users/NAME</c> and run <c>hpc-client init</c> there (passphrase from an environment
    /// variable, never a file), pinning the same three authorities the relays pin (NodeSetup writes them);</item>
    /// <item>start <c>hpc-client daemon</c> as its own process through <see cref="NodeProcesses.Start"/>, recorded in
    /// testnet.json like a node (a new <see cref="NodeRole"/>), so that stop, status and logs cover it;</item>
    /// <item>wait, with progress, until each user's hidden point is published (the daemon's local API or
    /// <c>hpc-client id</c> reports its descriptor uploaded), bounded by the run's timeout;</item>
    /// <item>have every user send a few messages to every other (<c>hpc-client send</c>, <c>listen</c>), then print
    /// each user's hidden-id, delivered/expected messages, the slowest delivery, and the exact command to talk to
    /// each user interactively.</item>
    /// </list>
    /// </summary>
    public static Task StartUsersAsync(TestnetState state, int count, Progress progress, CancellationToken cancel) =>
        throw new NotSupportedException(NotAvailable);
}
