using System.Globalization;
using System.Text;
using HiddenPoint.Client.Messaging.Ledger;
using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>
/// The messages of the conversation on screen: the history page it opened with, then what is sent and received live,
/// each once (a live event racing the history load is not shown twice), with sent messages' delivery states kept up to
/// date. Owned by the UI thread. Text from the contact is shown as text only: control characters (terminal escapes)
/// are replaced before anything reaches the screen.
/// </summary>
public sealed class ConversationTranscript
{
    /// <summary>How a damaged body (it did not authenticate in the store) reads.</summary>
    public const string DamagedText = "[damaged in the store: not shown]";

    private const int Indent = 6;
    private readonly List<TranscriptEntry> _entries = [];
    private readonly Dictionary<(MessageDirection, MessageId), int> _index = [];
    private readonly Dictionary<MessageId, (DeliveryState State, FailureReason Reason)> _earlyStates = [];

    /// <summary>The messages, oldest first.</summary>
    public IReadOnlyList<TranscriptEntry> Entries => _entries;

    /// <summary>Starts from <paramref name="page"/>, keeping live messages that arrived while it loaded.</summary>
    public void Load(HistoryPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var live = _entries.ToList();
        _entries.Clear();
        _index.Clear();
        foreach (var entry in page.Entries)
        {
            var text = entry.Damaged ? DamagedText : Encoding.UTF8.GetString(entry.Body.Span);
            Add(new TranscriptEntry(entry.Direction, entry.Id, text, entry.StoredAt, entry.State, entry.Reason));
        }

        foreach (var entry in live)
        {
            Add(entry);
        }
    }

    /// <summary>Adds a message received live.</summary>
    public void Received(IncomingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Add(new TranscriptEntry(MessageDirection.Incoming, message.Id, Encoding.UTF8.GetString(message.Body.Span), message.ReceivedAt, DeliveryState.Delivered, FailureReason.None));
    }

    /// <summary>Adds a message the user just sent.</summary>
    public void Sent(OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var state = message.State;
        var reason = message.Reason;
        if (_earlyStates.Remove(message.Id, out var early) && early.State > state)
        {
            (state, reason) = early;
        }

        Add(new TranscriptEntry(MessageDirection.Outgoing, message.Id, Encoding.UTF8.GetString(message.Body.Span), message.CreatedAt, state, reason));
    }

    /// <summary>
    /// Moves a sent message to <paramref name="state"/>; true when that changed what is shown. A state for a message
    /// not shown yet (the event overtook the send's reply) is kept for it.
    /// </summary>
    public bool DeliveryChanged(MessageId id, DeliveryState state, FailureReason reason)
    {
        if (!_index.TryGetValue((MessageDirection.Outgoing, id), out var at))
        {
            _earlyStates[id] = (state, reason);
            return false;
        }

        var entry = _entries[at];
        if (entry.State == state && entry.Reason == reason)
        {
            return false;
        }

        _entries[at] = entry with { State = state, Reason = reason };
        return true;
    }

    /// <summary>
    /// The transcript as screen lines of at most <paramref name="width"/> columns: "14:02 you: text  [delivered]", long
    /// texts wrapped under their first line. Times are shown in <paramref name="zone"/>.
    /// </summary>
    public IReadOnlyList<string> Lines(string contactName, int width, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(contactName);
        ArgumentNullException.ThrowIfNull(zone);
        width = Math.Max(width, Indent + 10);
        var lines = new List<string>(_entries.Count);
        foreach (var entry in _entries)
        {
            var time = TimeZoneInfo.ConvertTime(entry.At, zone).ToString("HH:mm", CultureInfo.InvariantCulture);
            var who = entry.Direction == MessageDirection.Outgoing ? "you" : Printable(contactName);
            var text = $"{time} {who}: {Printable(entry.Text)}";
            if (entry.Direction == MessageDirection.Outgoing)
            {
                text += "  [" + StateText.Delivery(entry.State, entry.Reason) + "]";
            }

            Wrap(text, width, lines);
        }

        return lines;
    }

    /// <summary><paramref name="text"/> with every control character (escape, newline, tab…) shown as a space.</summary>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
    }

    private static void Wrap(string text, int width, List<string> lines)
    {
        var first = true;
        var rest = text.AsSpan();
        while (rest.Length > 0)
        {
            var room = first ? width : width - Indent;
            string line;
            if (rest.Length <= room)
            {
                line = rest.ToString();
                rest = [];
            }
            else
            {
                // Break at the last space that keeps the line within room (the space after a word that ends at the
                // edge counts); a word longer than half the line is cut instead.
                var cut = rest[..(room + 1)].LastIndexOf(' ');
                var take = cut > room / 2 ? cut : room;
                line = rest[..take].ToString();
                rest = rest[take..].TrimStart(' ');
            }

            lines.Add(first ? line : new string(' ', Indent) + line);
            first = false;
        }
    }

    private void Add(TranscriptEntry entry)
    {
        var key = (entry.Direction, entry.Id);
        if (_index.TryGetValue(key, out var at))
        {
            // The later of two views of one sent message wins by state (delivered never goes back to sent).
            if (entry.State > _entries[at].State)
            {
                _entries[at] = entry;
            }

            return;
        }

        _index[key] = _entries.Count;
        _entries.Add(entry);
    }
}
