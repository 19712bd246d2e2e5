using System.Globalization;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>How states read on the screen: short words that fit an 80-column row.</summary>
public static class StateText
{
    /// <summary>Characters of a hidden-id shown where the whole one does not fit (enough to tell contacts apart).</summary>
    public const int ShortIdLength = 12;

    /// <summary>A sent message's delivery state.</summary>
    public static string Delivery(DeliveryState state, FailureReason reason) => state switch
    {
        DeliveryState.Queued => "queued",
        DeliveryState.Sent => "sent",
        DeliveryState.Delivered => "delivered",
        DeliveryState.Failed => "failed: " + Failure(reason),
        _ => "?",
    };

    /// <summary>Why a message failed.</summary>
    public static string Failure(FailureReason reason) => reason switch
    {
        FailureReason.Refused => "refused",
        FailureReason.TooLarge => "too large",
        FailureReason.Cancelled => "cancelled",
        FailureReason.RecipientUnreachable => "unreachable",
        _ => "unknown",
    };

    /// <summary>Where a contact stands: a request or a block first, else its conversation's connection.</summary>
    public static string Reachability(TuiContact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return contact.State switch
        {
            ContactState.Requested => "request: /accept or /reject",
            ContactState.Blocked => "blocked",
            _ => contact.Connection switch
            {
                ConversationStatus.Connected => "online",
                ConversationStatus.Connecting => "connecting",
                ConversationStatus.WaitingForContact => "waiting: " + Waiting(contact.Waiting),
                _ => "idle",
            },
        };
    }

    /// <summary>Why a conversation waits for its contact.</summary>
    public static string Waiting(WaitReason reason) => reason switch
    {
        WaitReason.Unreachable => "unreachable",
        WaitReason.RequestRateLimited => "rate-limited",
        WaitReason.UnsupportedVersion => "other version",
        WaitReason.HandshakeFailed => "handshake failed",
        WaitReason.Blocked => "blocked us",
        _ => "retrying",
    };

    /// <summary>A contact's name, or the start of its hidden-id when it has none (a request).</summary>
    public static string ContactName(TuiContact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return contact.Name.Length > 0 ? contact.Name : ShortId(contact.HiddenId);
    }

    /// <summary>The first <see cref="ShortIdLength"/> characters of a hidden-id and an ellipsis.</summary>
    public static string ShortId(HiddenId id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var text = id.ToString();
        return text.Length <= ShortIdLength ? text : string.Concat(text.AsSpan(0, ShortIdLength), "…");
    }

    /// <summary>A relay's flags as documents spell them, in their order.</summary>
    public static string Flags(RelayFlags flags)
    {
        var names = new List<string>(6);
        foreach (var (flag, name) in FlagNames)
        {
            if ((flags & flag) != 0)
            {
                names.Add(name);
            }
        }

        return names.Count == 0 ? "-" : string.Join(' ', names);
    }

    /// <summary>An age in its largest whole unit: 45s, 3m, 2h, 1d (negative ages, from a clock behind, read 0s).</summary>
    public static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalMinutes < 1 ? Whole(age.TotalSeconds, "s")
            : age.TotalHours < 1 ? Whole(age.TotalMinutes, "m")
            : age.TotalDays < 1 ? Whole(age.TotalHours, "h")
            : Whole(age.TotalDays, "d");
    }

    /// <summary><paramref name="text"/> cut to <paramref name="width"/> columns (an ellipsis marks the cut) or padded to it.</summary>
    public static string Fit(string text, int width)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (width <= 0)
        {
            return string.Empty;
        }

        return text.Length <= width ? text.PadRight(width) : string.Concat(text.AsSpan(0, width - 1), "…");
    }

    private static readonly (RelayFlags Flag, string Name)[] FlagNames =
    [
        (RelayFlags.Fast, "Fast"), (RelayFlags.Guard, "Guard"), (RelayFlags.HSDir, "HSDir"),
        (RelayFlags.Running, "Running"), (RelayFlags.Stable, "Stable"), (RelayFlags.Valid, "Valid"),
    ];

    private static string Whole(double value, string unit) => ((long)Math.Floor(value)).ToString(CultureInfo.InvariantCulture) + unit;
}
