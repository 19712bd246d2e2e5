using HiddenPoint.Client.Identity;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Messaging.Service;

/// <summary>
/// Everything a <see cref="Messenger"/> needs: the user's data directory (identity, message store, the client core's
/// state) and the options of each part. Bound from the configuration section <see cref="Section"/>.
/// </summary>
public sealed class MessengerOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Client";

    /// <summary>The folder of the user's state: identity, <see cref="MessageStoreOptions.DefaultFileName"/>, guards, consensus cache. Required.</summary>
    public string DataDirectory { get; set; } = string.Empty;

    /// <summary>Create the identity and the store when they do not exist (what <c>hpc-client init</c> does). Default false: a missing one is an error.</summary>
    public bool CreateIfMissing { get; set; }

    /// <summary>
    /// How long an incoming or outgoing connection may take to open its conversation stream before it is closed.
    /// 1 s to 5 min; default 30 s.
    /// </summary>
    public TimeSpan StreamTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many events a subscriber may leave unread before it is dropped: 16 to 1,000,000; default 10,000.</summary>
    public int EventSubscriberCapacity { get; set; } = 10_000;

    /// <summary>The client core (its <c>DataDirectory</c> is set to <see cref="DataDirectory"/>).</summary>
    public ClientCoreOptions Core { get; set; } = new();

    /// <summary>The conversation engine.</summary>
    public MessagingOptions Messaging { get; set; } = new();

    /// <summary>The store (its <c>DatabasePath</c>, when empty, is <see cref="MessageStoreOptions.DefaultFileName"/> in <see cref="DataDirectory"/>).</summary>
    public MessageStoreOptions Store { get; set; } = new();

    /// <summary>The identity key file.</summary>
    public string IdentityPath => Path.Combine(DataDirectory, HiddenPointIdentityStore.DefaultFileName);

    /// <summary>The database file.</summary>
    public string DatabasePath => string.IsNullOrEmpty(Store.DatabasePath) ? Path.Combine(DataDirectory, MessageStoreOptions.DefaultFileName) : Store.DatabasePath;

    /// <summary>Checks every option (and each part's); the message names the option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException($"{nameof(MessengerOptions)}.{nameof(DataDirectory)} is required.");
        }

        if (StreamTimeout < TimeSpan.FromSeconds(1) || StreamTimeout > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException($"{nameof(MessengerOptions)}.{nameof(StreamTimeout)} must be 1 s to 5 min (was {StreamTimeout}).");
        }

        if (EventSubscriberCapacity is < 16 or > 1_000_000)
        {
            throw new ArgumentException($"{nameof(MessengerOptions)}.{nameof(EventSubscriberCapacity)} must be 16 to 1,000,000 (was {EventSubscriberCapacity}).");
        }

        ArgumentNullException.ThrowIfNull(Core, nameof(Core));
        ArgumentNullException.ThrowIfNull(Messaging, nameof(Messaging));
        ArgumentNullException.ThrowIfNull(Store, nameof(Store));
        Messaging.Validate();
    }
}
