using System.Collections.ObjectModel;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Service;
using HiddenPoint.Client.Messaging.Storage;
using HiddenPoint.Crypto.HiddenPoints;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace HiddenPoint.Client.Cli.Tui;

/// <summary>
/// The full screen: a key line on top, the list, a conversation, a relay's details or the help in the middle, the
/// status line at the bottom. Everything it shows is changed on the UI thread only; calls to the session run in the
/// background and hand their results back through <see cref="IApplication.Invoke(Action)"/>.
/// </summary>
internal sealed class TuiWindow : Runnable
{
    /// <summary>Messages of a conversation loaded when it opens.</summary>
    public const int HistoryPageSize = 200;

    private const string NotListedYet = "Press U to list relays and contacts.";
    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan WatchRetryDelay = TimeSpan.FromSeconds(1);

    private readonly IApplication _app;
    private readonly ITuiSession _session;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping;
    private readonly List<Task> _background = [];
    private readonly UnreadCounts _unread = new();
    private readonly Label _header;
    private readonly ListView _list;
    private readonly ListView _transcriptView;
    private readonly TextField _input;
    private readonly ListView _details;
    private readonly Label _statusLine;
    private IReadOnlyList<TuiContact> _contacts = [];
    private IReadOnlyList<TuiRelay> _relays = [];
    private IReadOnlyList<ListRow> _rows = [];
    private bool _listed;
    private TuiMode _mode = TuiMode.List;
    private TuiMode _beforeHelp = TuiMode.List;
    private TuiContact? _open;
    private ConversationTranscript _transcript = new();
    private TuiStatus? _status;
    private bool _statusInFlight;
    private string _notice = string.Empty;

    public TuiWindow(IApplication app, ITuiSession session, TimeProvider time, CancellationToken cancellationToken)
    {
        _app = app;
        _session = session;
        _time = time;
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Width = Dim.Fill();
        Height = Dim.Fill();
        BorderStyle = global::Terminal.Gui.Drawing.LineStyle.None;

        _header = new Label { X = 0, Y = 0, Width = Dim.Fill(), Height = 1 };
        _list = new ListView { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(1) };
        _transcriptView = new ListView { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(2), CanFocus = false, Visible = false };
        _input = new TextField { X = 0, Y = Pos.AnchorEnd(2), Width = Dim.Fill(), Height = 1, Visible = false };
        _details = new ListView { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(1), Visible = false };
        _statusLine = new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1 };
        Add(_header, _list, _transcriptView, _input, _details, _statusLine);

        _input.KeyDown += OnInputKey;
        _app.Keyboard.KeyDown += OnKey;
        // Each view is laid out to its own new size after a resize; what it shows is cut and wrapped to that size.
        FrameChanged += (_, _) =>
        {
            RenderHeader();
            RenderStatus();
        };
        _list.FrameChanged += (_, _) => RenderList();
        _transcriptView.FrameChanged += (_, _) => RenderTranscript();
    }

    /// <summary>Starts watching events and refreshing the status line; call once, on the UI thread, before running.</summary>
    public void Start()
    {
        RenderAll();
        _list.SetFocus();
        var watching = Task.Run(WatchAsync);
        lock (_background)
        {
            _background.Add(watching);
        }

        RefreshStatus();
        _app.AddTimeout(StatusInterval, () =>
        {
            if (_stopping.IsCancellationRequested)
            {
                return false;
            }

            RefreshStatus();
            RenderStatus();
            return true;
        });
    }

    /// <summary>Stops the background work and waits (bounded) for it, after the main loop ended.</summary>
    public void Stop(TimeSpan bound)
    {
        _stopping.Cancel();
        Task[] running;
        lock (_background)
        {
            running = [.. _background];
        }

        Task.WhenAll(running).Wait(bound);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _app.Keyboard.KeyDown -= OnKey;
            _stopping.Dispose();
        }

        base.Dispose(disposing);
    }

    private void OnKey(object? sender, Key key)
    {
        var action = TuiKeys.Read(key);
        if (_mode == TuiMode.Conversation)
        {
            // Letters are text here; only Esc (back) belongs to the screen.
            if (action == TuiKeyAction.Back)
            {
                key.Handled = true;
                ShowList();
            }

            return;
        }

        key.Handled = action != TuiKeyAction.None;
        switch (action)
        {
            case TuiKeyAction.Refresh when _mode == TuiMode.List:
                Refresh();
                break;
            case TuiKeyAction.Select when _mode == TuiMode.List:
                OpenSelected();
                break;
            case TuiKeyAction.Select or TuiKeyAction.Back when _mode == TuiMode.Relay:
                ShowList();
                break;
            case TuiKeyAction.Back or TuiKeyAction.Help when _mode == TuiMode.Help:
                CloseHelp();
                break;
            case TuiKeyAction.Back when _mode == TuiMode.List:
                // Taken here, or Terminal.Gui's default Esc would quit; X is the way out.
                Notice("nothing to go back to: X exits");
                break;
            case TuiKeyAction.Help:
                ShowHelp();
                break;
            case TuiKeyAction.Exit:
                _app.RequestStop();
                break;
            case TuiKeyAction.None:
                break;
            default:
                // Keys of the list while another view shows: nothing to do, and no view below may take them.
                break;
        }
    }

    private void OnInputKey(object? sender, Key key)
    {
        if (key != Key.Enter)
        {
            return;
        }

        key.Handled = true;
        var line = _input.Text ?? string.Empty;
        _input.Text = string.Empty;
        if (_open is not { } contact)
        {
            return;
        }

        var input = ConversationInput.Parse(line);
        switch (input.Kind)
        {
            case InputKind.Message:
                Background(async token =>
                {
                    var sent = await _session.SendAsync(contact.HiddenId, input.Text, token).ConfigureAwait(false);
                    _app.Invoke(() =>
                    {
                        if (_open?.HiddenId == sent.Contact)
                        {
                            _transcript.Sent(sent);
                            RenderTranscript();
                        }
                    });
                });
                break;
            case InputKind.Command:
                RunCommand(contact, input.Command!.Value, input.Argument);
                break;
            case InputKind.UnknownCommand:
                Notice($"Unknown command {input.Text}: /help lists them.");
                break;
            default:
                break;
        }
    }

    private void RunCommand(TuiContact contact, SlashCommand command, string argument)
    {
        switch (command)
        {
            case SlashCommand.Back:
                ShowList();
                break;
            case SlashCommand.Help:
                ShowHelp();
                break;
            case SlashCommand.Accept:
                var name = argument.Length > 0 ? argument : contact.HiddenId.ToString()[..StateText.ShortIdLength];
                ChangeContact(contact, token => _session.AcceptRequestAsync(contact.HiddenId, name, token), "accepted as " + name, "not a pending request");
                break;
            case SlashCommand.Reject:
                ChangeContact(contact, token => _session.RejectRequestAsync(contact.HiddenId, token), "request rejected", "not a pending request");
                break;
            case SlashCommand.Block:
                ChangeContact(contact, token => _session.BlockAsync(contact.HiddenId, token), "blocked", "not in the contact list");
                break;
        }
    }

    private void ChangeContact(TuiContact contact, Func<CancellationToken, Task<ContactResult>> change, string done, string refused) =>
        Background(async token =>
        {
            var result = await change(token).ConfigureAwait(false);
            var contacts = await _session.ListContactsAsync(token).ConfigureAwait(false);
            _app.Invoke(() =>
            {
                SetContacts(contacts);
                Notice(result is ContactResult.Updated or ContactResult.Added or ContactResult.Removed ? done : refused);
                if (_open?.HiddenId == contact.HiddenId)
                {
                    _open = contacts.FirstOrDefault(c => c.HiddenId == contact.HiddenId);
                    if (_open is null)
                    {
                        ShowList();
                    }
                    else
                    {
                        RenderHeader();
                    }
                }
            });
        });

    private void Refresh()
    {
        Notice("refreshing…");
        Background(async token =>
        {
            var relays = await _session.ListRelaysAsync(token).ConfigureAwait(false);
            var contacts = await _session.ListContactsAsync(token).ConfigureAwait(false);
            _app.Invoke(() =>
            {
                _relays = relays;
                _listed = true;
                SetContacts(contacts);
                Notice($"listed {contacts.Count} contacts and requests, {relays.Count} relays");
            });
        });
    }

    private void SetContacts(IReadOnlyList<TuiContact> contacts)
    {
        _contacts = contacts;
        RenderList();
    }

    private void OpenSelected()
    {
        if (_list.SelectedItem is not { } index || index < 0 || index >= _rows.Count)
        {
            return;
        }

        var row = _rows[index];
        if (row.Contact is { } contact)
        {
            OpenConversation(contact);
        }
        else if (row.Relay is { } relay)
        {
            _mode = TuiMode.Relay;
            _details.SetSource(new ObservableCollection<string>(RelayDetails.Lines(relay)));
            ShowMode();
        }
    }

    private void OpenConversation(TuiContact contact)
    {
        _mode = TuiMode.Conversation;
        _open = contact;
        _unread.Read(contact.HiddenId);
        _transcript = new ConversationTranscript();
        var transcript = _transcript;
        ShowMode();
        RenderTranscript();
        Background(async token =>
        {
            var page = await _session.GetHistoryAsync(contact.HiddenId, HistoryPageSize, null, token).ConfigureAwait(false);
            _app.Invoke(() =>
            {
                transcript.Load(page);
                if (ReferenceEquals(transcript, _transcript))
                {
                    RenderTranscript();
                }
            });
        });
    }

    private void ShowList()
    {
        _mode = TuiMode.List;
        _open = null;
        ShowMode();
        RenderList();
    }

    private void ShowHelp()
    {
        if (_mode != TuiMode.Help)
        {
            _beforeHelp = _mode;
        }

        _mode = TuiMode.Help;
        _details.SetSource(new ObservableCollection<string>(HelpText.Lines));
        ShowMode();
    }

    private void CloseHelp()
    {
        _mode = _beforeHelp;
        if (_mode == TuiMode.Relay)
        {
            // The details view showed the help over the relay: the list is where S and Esc lead from there anyway.
            _mode = TuiMode.List;
        }

        ShowMode();
        if (_mode == TuiMode.Conversation)
        {
            RenderTranscript();
        }
        else
        {
            RenderList();
        }
    }

    private void ShowMode()
    {
        _notice = string.Empty;
        _list.Visible = _mode == TuiMode.List;
        _transcriptView.Visible = _mode == TuiMode.Conversation;
        _input.Visible = _mode == TuiMode.Conversation;
        _details.Visible = _mode is TuiMode.Relay or TuiMode.Help;
        switch (_mode)
        {
            case TuiMode.Conversation:
                _input.SetFocus();
                break;
            case TuiMode.List:
                _list.SetFocus();
                break;
            default:
                _details.SetFocus();
                break;
        }

        RenderHeader();
    }

    private void Apply(MessagingEvent messagingEvent)
    {
        switch (messagingEvent)
        {
            case MessageReceived received:
                _unread.Received(received.Message.Contact, _open?.HiddenId);
                if (_open?.HiddenId == received.Message.Contact)
                {
                    _transcript.Received(received.Message);
                    RenderTranscript();
                }
                else if (_contacts.All(c => c.HiddenId != received.Message.Contact))
                {
                    ReloadContacts();
                }

                RenderList();
                RenderHeader();
                break;
            case DeliveryStateChanged delivery:
                if (_open?.HiddenId == delivery.Contact && _transcript.DeliveryChanged(delivery.Id, delivery.State, delivery.Reason))
                {
                    RenderTranscript();
                }

                break;
            case ContactRequestReceived request:
                Notice("contact request from " + StateText.ShortId(request.Contact));
                ReloadContacts();
                break;
            case ConversationStatusChanged changed:
                _contacts = [.. _contacts.Select(c => c.HiddenId == changed.Contact ? c with { Connection = changed.Status, Waiting = changed.Reason } : c)];
                if (_open?.HiddenId == changed.Contact)
                {
                    _open = _open with { Connection = changed.Status, Waiting = changed.Reason };
                    RenderHeader();
                }

                RenderList();
                break;
        }
    }

    private void ReloadContacts()
    {
        if (!_listed)
        {
            return;
        }

        Background(async token =>
        {
            var contacts = await _session.ListContactsAsync(token).ConfigureAwait(false);
            _app.Invoke(() => SetContacts(contacts));
        });
    }

    // Events from the session, for as long as the screen runs; after falling behind, what is shown is reloaded.
    private async Task WatchAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await foreach (var messagingEvent in _session.WatchAsync(token).ConfigureAwait(false))
                {
                    _app.Invoke(() => Apply(messagingEvent));
                }

                return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (SubscriberFellBehindException)
            {
                _app.Invoke(Reload);
            }
#pragma warning disable CA1031 // The screen stays up and says so; the next attempt follows shortly.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _app.Invoke(() => Notice("events interrupted: " + ex.GetType().Name));
                try
                {
                    await Task.Delay(WatchRetryDelay, _time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Reload()
    {
        ReloadContacts();
        if (_open is { } contact && _mode == TuiMode.Conversation)
        {
            OpenConversation(contact);
        }
    }

    private void RefreshStatus()
    {
        if (_statusInFlight)
        {
            return;
        }

        _statusInFlight = true;
        Background(
            async token =>
            {
                var status = await _session.GetStatusAsync(token).ConfigureAwait(false);
                _app.Invoke(() =>
                {
                    _status = status;
                    _statusInFlight = false;
                    RenderStatus();
                });
            },
            () => _statusInFlight = false);
    }

    // Runs one call to the session off the UI thread; a failure is shown on the key line, never thrown into the loop.
    private void Background(Func<CancellationToken, Task> work, Action? onFailure = null)
    {
        var token = _stopping.Token;
        var task = Task.Run(async () =>
        {
            try
            {
                await work(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
#pragma warning disable CA1031 // One failed call is reported and the screen goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (!token.IsCancellationRequested)
                {
                    _app.Invoke(() =>
                    {
                        onFailure?.Invoke();
                        Notice(ex is ArgumentException ? ex.Message : "failed: " + ex.GetType().Name);
                    });
                }
            }
        });
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
    }

    private void Notice(string text)
    {
        _notice = text;
        RenderHeader();
    }

    private void RenderAll()
    {
        RenderHeader();
        RenderList();
        RenderTranscript();
        RenderStatus();
    }

    private void RenderHeader()
    {
        var width = Math.Max(Viewport.Width, 1);
        // A notice (the result of the last action) takes the place of the key hints until the view changes.
        var title = _mode switch
        {
            TuiMode.Conversation when _open is { } contact =>
                $"{ConversationTranscript.Printable(StateText.ContactName(contact))} ({StateText.Reachability(contact)})",
            TuiMode.Relay => "Relay",
            TuiMode.Help => "Help",
            _ => _unread.Total > 0 ? $"{_unread.Total} unread" : string.Empty,
        };
        var hint = _notice.Length > 0 ? _notice : _mode switch
        {
            TuiMode.Conversation => HelpText.ConversationKeys,
            TuiMode.Relay => "Esc back  X exit",
            TuiMode.Help => "Esc back",
            _ => HelpText.ListKeys,
        };
        _header.Text = StateText.Fit(title.Length > 0 ? title + " | " + hint : hint, width);
    }

    private void RenderList()
    {
        if (!_listed)
        {
            _rows = [new ListRow(NotListedYet, null, null)];
            _list.SetSource(new ObservableCollection<string>([NotListedYet]));
            return;
        }

        // The selection follows its contact or relay when rows come and go above it.
        var selected = _list.SelectedItem is { } at && at >= 0 && at < _rows.Count ? _rows[at] : null;
        _rows = ListRows.Build(_contacts, _relays, _unread, Math.Max(_list.Viewport.Width, 1));
        _list.SetSource(new ObservableCollection<string>(_rows.Select(r => r.Text)));
        var index = ListRows.IndexOf(_rows, selected);
        if (index >= 0)
        {
            _list.SelectedItem = index;
        }
    }

    private void RenderTranscript()
    {
        if (_mode != TuiMode.Conversation || _open is not { } contact)
        {
            return;
        }

        var lines = _transcript.Lines(StateText.ContactName(contact), Math.Max(_transcriptView.Viewport.Width, 1), TimeZoneInfo.Local);
        _transcriptView.SetSource(new ObservableCollection<string>(lines));
        if (lines.Count > 0)
        {
            _transcriptView.SelectedItem = lines.Count - 1;
            _transcriptView.EnsureSelectedItemVisible();
        }

        RenderHeader();
    }

    private void RenderStatus() =>
        _statusLine.Text = StatusLine.Format(_status, _time.GetUtcNow(), Math.Max(Viewport.Width, 1));
}
