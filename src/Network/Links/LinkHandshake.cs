using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Crypto.Noise;

namespace HiddenPoint.Network.Links;

/// <summary>The outcome of a link handshake: the transport keys, or why it failed.</summary>
internal readonly record struct HandshakeOutcome(NoiseTransport? Transport, LinkKind Kind, LinkCloseReason Failure);

/// <summary>
/// Runs the Noise handshake of a link over a pipe. Pure protocol: it reads and writes framed handshake messages and
/// maps every failure the peer can cause to a <see cref="LinkCloseReason"/>; timeouts come from the caller's token.
/// </summary>
internal static class LinkHandshake
{
    public static async Task<HandshakeOutcome> InitiateAsync(
        IDuplexPipe pipe, LinkKind kind, LinkKey? localStatic, LinkPublicKey expectedResponder, CancellationToken cancellationToken)
    {
        using var handshake = NoiseHandshake.CreateInitiator(
            LinkKinds.Protocol(kind), NoisePrologues.HpcLink, kind == LinkKind.RelayToRelay ? localStatic : null, expectedResponder.Key);
        var scratch = new byte[LinkFraming.MaxHandshakeMessageLength];
        var first = true;
        while (!handshake.IsComplete)
        {
            LinkCloseReason failure;
            if (handshake.IsMyTurnToWrite)
            {
                failure = await WriteMessageAsync(pipe.Output, handshake, scratch, first ? (byte)kind : null, cancellationToken).ConfigureAwait(false);
                first = false;
            }
            else
            {
                failure = await ReadMessageAsync(pipe.Input, handshake, scratch, cancellationToken).ConfigureAwait(false);
            }

            if (failure != LinkCloseReason.None)
            {
                return new HandshakeOutcome(null, kind, failure);
            }
        }

        return new HandshakeOutcome(handshake.Split(), kind, LinkCloseReason.None);
    }

    public static Task<HandshakeOutcome> RespondAsync(
        IDuplexPipe pipe, LinkKey localStatic, AcceptedLinkKinds accepted, CancellationToken cancellationToken) =>
        RespondAsync(pipe, localStatic, null, accepted, cancellationToken);

    /// <summary>
    /// Answers as responder with <paramref name="localStatic"/>, or with <paramref name="previousStatic"/> when the
    /// initiator addressed the key this relay used before its last rotation. In NK and XK the first message already
    /// depends on the responder's static key (<c>es</c>) and carries an authenticated payload, so only the key it was
    /// made for opens it: it is tried against the current key, then the previous one. A link opened with the previous
    /// key is as authenticated as one opened with the current key.
    /// </summary>
    public static async Task<HandshakeOutcome> RespondAsync(
        IDuplexPipe pipe, LinkKey localStatic, LinkKey? previousStatic, AcceptedLinkKinds accepted, CancellationToken cancellationToken)
    {
        var (kindByte, readFailure) = await ReadKindAsync(pipe.Input, cancellationToken).ConfigureAwait(false);
        if (readFailure != LinkCloseReason.None)
        {
            return new HandshakeOutcome(null, default, readFailure);
        }

        if (!LinkKinds.IsDefined(kindByte))
        {
            return new HandshakeOutcome(null, default, LinkCloseReason.HandshakeMalformed);
        }

        var kind = (LinkKind)kindByte;
        if (!LinkKinds.IsAccepted(accepted, kind))
        {
            return new HandshakeOutcome(null, kind, LinkCloseReason.LinkKindRefused);
        }

        var scratch = new byte[LinkFraming.MaxHandshakeMessageLength];
        var (length, frameFailure) = await ReadFrameAsync(pipe.Input, scratch, cancellationToken).ConfigureAwait(false);
        if (frameFailure != LinkCloseReason.None)
        {
            return new HandshakeOutcome(null, kind, frameFailure);
        }

        var first = scratch.AsSpan(0, length);
        var handshake = NoiseHandshake.CreateResponder(LinkKinds.Protocol(kind), NoisePrologues.HpcLink, localStatic);
        var error = handshake.ReadMessage(first, Span<byte>.Empty, out _);
        if (error == NoiseError.DecryptFailed && previousStatic is not null)
        {
            handshake.Dispose();
            handshake = NoiseHandshake.CreateResponder(LinkKinds.Protocol(kind), NoisePrologues.HpcLink, previousStatic);
            error = handshake.ReadMessage(first, Span<byte>.Empty, out _);
        }

        using (handshake)
        {
            var failure = MapReadError(error);
            while (failure == LinkCloseReason.None && !handshake.IsComplete)
            {
                failure = handshake.IsMyTurnToWrite
                    ? await WriteMessageAsync(pipe.Output, handshake, scratch, null, cancellationToken).ConfigureAwait(false)
                    : await ReadMessageAsync(pipe.Input, handshake, scratch, cancellationToken).ConfigureAwait(false);
            }

            return failure == LinkCloseReason.None
                ? new HandshakeOutcome(handshake.Split(), kind, LinkCloseReason.None)
                : new HandshakeOutcome(null, kind, failure);
        }
    }

    private static async Task<LinkCloseReason> WriteMessageAsync(
        PipeWriter output, NoiseHandshake handshake, byte[] scratch, byte? kindPrefix, CancellationToken cancellationToken)
    {
        var error = handshake.WriteMessage(ReadOnlySpan<byte>.Empty, scratch, out var written);
        if (error != NoiseError.None)
        {
            // Only a degenerate DH with the expected key can fail here: the configured key is unusable.
            return LinkCloseReason.HandshakeAuthenticationFailed;
        }

        var prefix = kindPrefix.HasValue ? 1 : 0;
        var span = output.GetSpan(prefix + LinkFraming.HandshakeLengthPrefix + written);
        if (kindPrefix.HasValue)
        {
            span[0] = kindPrefix.Value;
        }

        BinaryPrimitives.WriteUInt16BigEndian(span[prefix..], (ushort)written);
        scratch.AsSpan(0, written).CopyTo(span[(prefix + LinkFraming.HandshakeLengthPrefix)..]);
        output.Advance(prefix + LinkFraming.HandshakeLengthPrefix + written);
        var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return flush.IsCompleted ? LinkCloseReason.HandshakeTruncated : LinkCloseReason.None;
    }

    private static async Task<(byte Kind, LinkCloseReason Failure)> ReadKindAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= 1)
            {
                var kind = buffer.FirstSpan[0];
                input.AdvanceTo(buffer.GetPosition(1));
                return (kind, LinkCloseReason.None);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return (0, LinkCloseReason.HandshakeTruncated);
            }
        }
    }

    private static async Task<LinkCloseReason> ReadMessageAsync(
        PipeReader input, NoiseHandshake handshake, byte[] scratch, CancellationToken cancellationToken)
    {
        var (length, failure) = await ReadFrameAsync(input, scratch, cancellationToken).ConfigureAwait(false);
        return failure != LinkCloseReason.None
            ? failure
            : MapReadError(handshake.ReadMessage(scratch.AsSpan(0, length), Span<byte>.Empty, out _));
    }

    private static LinkCloseReason MapReadError(NoiseError error) => error switch
    {
        NoiseError.None => LinkCloseReason.None,
        NoiseError.Truncated or NoiseError.BufferTooSmall or NoiseError.MessageTooLarge => LinkCloseReason.HandshakeMalformed,
        _ => LinkCloseReason.HandshakeAuthenticationFailed,
    };

    // Reads one length-prefixed handshake message into scratch; returns its length.
    private static async Task<(int Length, LinkCloseReason Failure)> ReadFrameAsync(
        PipeReader input, byte[] scratch, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                if (buffer.Length >= LinkFraming.HandshakeLengthPrefix)
                {
                    var prefixReader = new SequenceReader<byte>(buffer);
                    prefixReader.TryReadBigEndian(out short announced);
                    var length = (ushort)announced;

                    // The announced length is checked before a byte of the message is buffered.
                    if (length > LinkFraming.MaxHandshakeMessageLength)
                    {
                        return (0, LinkCloseReason.HandshakeMalformed);
                    }

                    if (buffer.Length >= LinkFraming.HandshakeLengthPrefix + length)
                    {
                        buffer.Slice(LinkFraming.HandshakeLengthPrefix, length).CopyTo(scratch.AsSpan(0, length));
                        consumed = buffer.GetPosition(LinkFraming.HandshakeLengthPrefix + length);

                        // Frames that came in the same read as the message are not examined yet: the link's read loop
                        // must get them at once, not only when more bytes arrive.
                        examined = consumed;
                        return (length, LinkCloseReason.None);
                    }
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return (0, LinkCloseReason.HandshakeTruncated);
                }
            }
            finally
            {
                input.AdvanceTo(consumed, examined);
            }
        }
    }
}
