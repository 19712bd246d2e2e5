using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace HiddenPoint.Crypto.Noise;

/// <summary>
/// A Noise handshake pattern (Noise revision 34, §7): the keys each side knows beforehand (pre-messages) and the
/// tokens of each message. Messages alternate, the initiator sending the first. Only the patterns HiddenPoint uses
/// are defined; the handshake processes tokens generally, so adding a pattern is adding a definition here.
/// </summary>
public sealed class NoiseHandshakePattern
{
    /// <summary>
    /// <c>NN</c>: <c>-&gt; e</c>, <c>&lt;- e, ee</c>. Neither side authenticated; kept to run the published vectors.
    /// </summary>
    public static NoiseHandshakePattern NN { get; } = new(
        "NN",
        initiatorPreMessage: [],
        responderPreMessage: [],
        [[NoiseToken.E], [NoiseToken.E, NoiseToken.EE]]);

    /// <summary>
    /// <c>NK</c>: <c>&lt;- s</c> ... <c>-&gt; e, es</c>, <c>&lt;- e, ee</c>. The initiator knows the responder's static
    /// key and stays anonymous: HiddenPoint's client-to-relay link.
    /// </summary>
    public static NoiseHandshakePattern NK { get; } = new(
        "NK",
        initiatorPreMessage: [],
        responderPreMessage: [NoiseToken.S],
        [[NoiseToken.E, NoiseToken.ES], [NoiseToken.E, NoiseToken.EE]]);

    /// <summary>
    /// <c>XK</c>: <c>&lt;- s</c> ... <c>-&gt; e, es</c>, <c>&lt;- e, ee</c>, <c>-&gt; s, se</c>. The initiator knows
    /// the responder's static key and sends its own, encrypted, in the third message: HiddenPoint's relay-to-relay link.
    /// </summary>
    public static NoiseHandshakePattern XK { get; } = new(
        "XK",
        initiatorPreMessage: [],
        responderPreMessage: [NoiseToken.S],
        [[NoiseToken.E, NoiseToken.ES], [NoiseToken.E, NoiseToken.EE], [NoiseToken.S, NoiseToken.SE]]);

    private NoiseHandshakePattern(
        string name,
        ImmutableArray<NoiseToken> initiatorPreMessage,
        ImmutableArray<NoiseToken> responderPreMessage,
        ImmutableArray<ImmutableArray<NoiseToken>> messages)
    {
        Name = name;
        InitiatorPreMessage = initiatorPreMessage;
        ResponderPreMessage = responderPreMessage;
        Messages = messages;

        // What each side must be given, and every message's fixed size, follow from the tokens alone; computing
        // them here keeps the handshake free of per-pattern special cases.
        var overheads = ImmutableArray.CreateBuilder<int>(messages.Length);
        var hasKey = false;
        var initiatorSendsStatic = initiatorPreMessage.Contains(NoiseToken.S);
        var responderSendsStatic = responderPreMessage.Contains(NoiseToken.S);
        for (var i = 0; i < messages.Length; i++)
        {
            var fromInitiator = i % 2 == 0;
            var length = 0;
            foreach (var token in messages[i])
            {
                switch (token)
                {
                    case NoiseToken.E:
                        length += NoiseConstants.DhLength;
                        break;
                    case NoiseToken.S:
                        length += NoiseConstants.DhLength + (hasKey ? NoiseConstants.TagLength : 0);
                        if (fromInitiator)
                        {
                            initiatorSendsStatic = true;
                        }
                        else
                        {
                            responderSendsStatic = true;
                        }

                        break;
                    default:
                        hasKey = true;
                        break;
                }
            }

            overheads.Add(length + (hasKey ? NoiseConstants.TagLength : 0));
        }

        MessageOverheads = overheads.MoveToImmutable();
        InitiatorNeedsLocalStatic = initiatorSendsStatic;
        ResponderNeedsLocalStatic = responderSendsStatic;
    }

    /// <summary>The pattern's name as it appears in a protocol name, e.g. <c>XK</c>.</summary>
    public string Name { get; }

    /// <summary>Number of handshake messages.</summary>
    public int MessageCount => Messages.Length;

    internal ImmutableArray<NoiseToken> InitiatorPreMessage { get; }

    internal ImmutableArray<NoiseToken> ResponderPreMessage { get; }

    internal ImmutableArray<ImmutableArray<NoiseToken>> Messages { get; }

    /// <summary>Bytes of each message beyond its payload: public keys, encrypted static keys and tags.</summary>
    internal ImmutableArray<int> MessageOverheads { get; }

    /// <summary>Whether the initiator needs a static key pair (it sends or pre-shares its static key).</summary>
    public bool InitiatorNeedsLocalStatic { get; }

    /// <summary>Whether the responder needs a static key pair.</summary>
    public bool ResponderNeedsLocalStatic { get; }

    /// <summary>Whether the initiator must be given the responder's static public key before the handshake.</summary>
    public bool InitiatorNeedsRemoteStatic => ResponderPreMessage.Contains(NoiseToken.S);

    /// <summary>Whether the responder must be given the initiator's static public key before the handshake.</summary>
    public bool ResponderNeedsRemoteStatic => InitiatorPreMessage.Contains(NoiseToken.S);

    /// <summary>Finds a defined pattern by its name (<c>NN</c>, <c>NK</c>, <c>XK</c>).</summary>
    public static bool TryGet(string name, [NotNullWhen(true)] out NoiseHandshakePattern? pattern)
    {
        pattern = name switch
        {
            "NN" => NN,
            "NK" => NK,
            "XK" => XK,
            _ => null,
        };
        return pattern is not null;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
