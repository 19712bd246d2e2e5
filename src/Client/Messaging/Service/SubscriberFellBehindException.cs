namespace HiddenPoint.Client.Messaging.Service;

/// <summary>An event subscription was dropped because its reader left too many events unread.</summary>
public sealed class SubscriberFellBehindException : Exception
{
    /// <summary>Names the capacity the reader exceeded.</summary>
    public SubscriberFellBehindException(int capacity)
        : base($"The subscriber left {capacity} events unread and was dropped; read the store to catch up, then subscribe again.")
    {
        Capacity = capacity;
    }

    /// <summary>Creates the exception.</summary>
    public SubscriberFellBehindException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public SubscriberFellBehindException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SubscriberFellBehindException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The number of unread events the subscription could hold.</summary>
    public int Capacity { get; }
}
