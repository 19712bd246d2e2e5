using HiddenPoint.Client.Connecting;
using HiddenPoint.Client.Messaging.Conversations;
using HiddenPoint.Client.Messaging.Protocol;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Messaging.Service;

/// <summary>
/// Opens conversation connections over the network: a new hidden-point connection to the contact (a fresh rendezvous
/// circuit every time, which rotation relies on) and one stream to its messaging port, with the connection's channel
/// binding for the Hello proof.
/// </summary>
internal sealed class HiddenPointDialer : IConversationDialer
{
    private readonly HiddenPointConnector _connector;
    private readonly TimeSpan _streamTimeout;
    private readonly TimeProvider _time;

    public HiddenPointDialer(HiddenPointConnector connector, TimeSpan streamTimeout, TimeProvider timeProvider)
    {
        _connector = connector;
        _streamTimeout = streamTimeout;
        _time = timeProvider;
    }

    public async Task<ConversationTransport> DialAsync(HiddenId contact, CancellationToken cancellationToken)
    {
        var connection = await _connector.ConnectAsync(contact.ToString(), cancellationToken).ConfigureAwait(false);
        try
        {
            // The host accepts (or refuses) the BEGIN at once; a host that never answers is not left to hold the dial.
            using var timeout = new CancellationTokenSource(_streamTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var stream = await connection.OpenStreamAsync(ConversationLimits.VirtualPort, linked.Token).ConfigureAwait(false);
            return new ConversationTransport(stream, connection.ChannelBinding, new ConnectionLease(stream, connection));
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
