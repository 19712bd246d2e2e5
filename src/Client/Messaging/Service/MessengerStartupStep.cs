namespace HiddenPoint.Client.Messaging.Service;

/// <summary>The steps of <see cref="Messenger.StartAsync"/>, reported as each begins (for a progress display).</summary>
public enum MessengerStartupStep
{
    /// <summary>Reading the identity and opening the encrypted store (the passphrase key takes a fraction of a second).</summary>
    OpeningStore = 1,

    /// <summary>Fetching or loading the consensus and building the first circuits.</summary>
    Bootstrapping = 2,

    /// <summary>Establishing introduction points and publishing the hidden point (continues in the background).</summary>
    Publishing = 3,

    /// <summary>Ready: messages can be sent and received.</summary>
    Ready = 4,
}
