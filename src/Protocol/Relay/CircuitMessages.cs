using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Protocol.Cells;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Relay;

/// <summary>
/// EXTEND2: link specifiers (see <see cref="LinkSpecifiers"/>) · handshake type (2) · handshake length (2) ·
/// handshake data.
/// </summary>
public sealed class Extend2Message : RelayMessage
{
    private readonly LinkSpecifiers _target;
    private readonly HandshakeType _handshakeType;
    private readonly byte[] _handshakeData;

    /// <summary>Builds the message; too much data for one cell throws.</summary>
    public Extend2Message(LinkSpecifiers target, HandshakeType handshakeType, ReadOnlySpan<byte> handshakeData)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _handshakeType = handshakeType;
        _handshakeData = handshakeData.ToArray();
        EnsureFits();
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.Extend2;

    /// <summary>The relay to extend to.</summary>
    public LinkSpecifiers Target => _target;

    /// <summary>The handshake type (3 = ntor v3).</summary>
    public HandshakeType HandshakeType => _handshakeType;

    /// <summary>The client handshake, passed on in CREATE2.</summary>
    public ReadOnlySpan<byte> HandshakeData => _handshakeData;

    /// <inheritdoc/>
    public override int DataLength => _target.EncodedLength + 4 + _handshakeData.Length; // specifiers, type, length, data

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out Extend2Message? message, out DecodeError error)
    {
        if (!FitsInCell(ref reader, RelayCommand.Extend2, out error))
        {
            message = null;
            return false;
        }

        message = null;
        if (!LinkSpecifiers.TryDecode(ref reader, out var target, out error))
        {
            return false;
        }

        if (!reader.TryReadU16(out var type))
        {
            error = reader.Truncated();
            return false;
        }

        if (!reader.TryReadU16Prefixed("handshake length exceeds the message", out var data, out error))
        {
            return false;
        }

        if (!reader.TryExpectEnd(out error))
        {
            return false;
        }

        message = new Extend2Message(target, (HandshakeType)type, data);
        return true;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
        _target.Encode(ref writer);
        writer.WriteU16((ushort)_handshakeType);
        writer.WriteU16((ushort)_handshakeData.Length);
        writer.WriteBytes(_handshakeData);
    }
}

/// <summary>EXTENDED2: handshake length (2) · handshake data (the new hop's CREATED2 reply).</summary>
public sealed class Extended2Message : RelayMessage
{
    private readonly byte[] _handshakeData;

    /// <summary>Builds the message; too much data for one cell throws.</summary>
    public Extended2Message(ReadOnlySpan<byte> handshakeData)
    {
        _handshakeData = handshakeData.ToArray();
        EnsureFits();
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.Extended2;

    /// <summary>The server handshake.</summary>
    public ReadOnlySpan<byte> HandshakeData => _handshakeData;

    /// <inheritdoc/>
    public override int DataLength => 2 + _handshakeData.Length;

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out Extended2Message? message, out DecodeError error)
    {
        if (!FitsInCell(ref reader, RelayCommand.Extended2, out error))
        {
            message = null;
            return false;
        }

        message = null;
        if (!reader.TryReadU16Prefixed("handshake length exceeds the message", out var data, out error))
        {
            return false;
        }

        if (!reader.TryExpectEnd(out error))
        {
            return false;
        }

        message = new Extended2Message(data);
        return true;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
        writer.WriteU16((ushort)_handshakeData.Length);
        writer.WriteBytes(_handshakeData);
    }
}

/// <summary>
/// SENDME version 1, authenticated: version (1) = 1 · data length (2) = 16 · the 16-byte CGO tag of the cell that
/// the SENDME acknowledges. Version 0 (unauthenticated) and other tag lengths are refused.
/// </summary>
public sealed class SendmeMessage : RelayMessage
{
    /// <summary>The only SENDME version HiddenPoint speaks.</summary>
    public const byte Version = 1;

    /// <summary>Length of the CGO tag carried.</summary>
    public const int TagLength = RelayCell.TagLength;

    private readonly byte[] _tag;

    /// <summary>Builds the message; a tag of any length other than 16 throws.</summary>
    public SendmeMessage(ReadOnlySpan<byte> tag)
    {
        if (tag.Length != TagLength)
        {
            throw new ArgumentException("A SENDME tag is 16 bytes.", nameof(tag));
        }

        _tag = tag.ToArray();
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.Sendme;

    /// <summary>The acknowledged cell's CGO tag (compare with FixedTimeEquals).</summary>
    public ReadOnlySpan<byte> Tag => _tag;

    /// <inheritdoc/>
    public override int DataLength => 3 + TagLength; // version, length, tag

    /// <summary>
    /// Decodes without allocating: the tag is copied into <paramref name="tag"/> (16 bytes). For the flow-control
    /// path, which sees one SENDME per window.
    /// </summary>
    public static bool TryDecodeTag(ref WireReader reader, scoped Span<byte> tag, out DecodeError error)
    {
        if (tag.Length != TagLength)
        {
            throw new ArgumentException("A SENDME tag is 16 bytes.", nameof(tag));
        }

        var versionAt = reader.Offset;
        if (!reader.TryReadU8(out var version))
        {
            error = reader.Truncated();
            return false;
        }

        if (version != Version)
        {
            error = new DecodeError(DecodeErrorKind.UnsupportedVersion, versionAt, "SENDME version must be 1");
            return false;
        }

        var lengthAt = reader.Offset;
        if (!reader.TryReadU16(out var length))
        {
            error = reader.Truncated();
            return false;
        }

        if (length != TagLength)
        {
            error = new DecodeError(DecodeErrorKind.BadLength, lengthAt, "SENDME tag must be 16 bytes");
            return false;
        }

        if (!reader.TryCopyTo(tag))
        {
            error = reader.Truncated();
            return false;
        }

        return reader.TryExpectEnd(out error);
    }

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out SendmeMessage? message, out DecodeError error)
    {
        Span<byte> tag = stackalloc byte[TagLength];
        message = TryDecodeTag(ref reader, tag, out error) ? new SendmeMessage(tag) : null;
        return message is not null;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
        writer.WriteU8(Version);
        writer.WriteU16(TagLength);
        writer.WriteBytes(_tag);
    }
}

/// <summary>DROP: long-range padding. Its data, if any, is ignored; HiddenPoint sends none.</summary>
public sealed class DropMessage : RelayMessage
{
    /// <summary>Builds a DROP.</summary>
    public DropMessage()
    {
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.Drop;

    /// <inheritdoc/>
    public override int DataLength => 0;

    /// <summary>Decodes (consumes and ignores) the data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out DropMessage? message, out DecodeError error)
    {
        reader.ReadRest();
        message = new DropMessage();
        error = default;
        return true;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
    }
}
