using System.Diagnostics.CodeAnalysis;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Relay;

/// <summary>
/// Limits of the directory commands. Bodies longer than one relay message travel as DATA on the command's
/// stream, so these lengths are checked before anything is buffered.
/// </summary>
public static class DirectoryLimits
{
    /// <summary>Largest hidden-point descriptor an HSDir stores (rend-spec-v3's default, 50 000 bytes).</summary>
    public const int MaxDescriptorLength = 50_000;

    /// <summary>Largest directory response body (a consensus), 8 MiB.</summary>
    public const int MaxResponseLength = 8 * 1024 * 1024;

    /// <summary>Largest key in a directory request (a digest or an identity).</summary>
    public const int MaxRequestKeyLength = 64;

    /// <summary>Length of a blinded Ed25519 key.</summary>
    public const int BlindedKeyLength = 32;
}

/// <summary>
/// DESCRIPTOR_STORE (64, stream): blinded key (32) · descriptor length (4, 1..50 000). The descriptor follows as
/// DATA on the same stream; the HSDir answers with DIRECTORY_RESPONSE and then END.
/// </summary>
public sealed class DescriptorStoreMessage : RelayMessage
{
    private readonly byte[] _blindedKey;
    private readonly int _descriptorLength;

    /// <summary>Builds the message; a bad key length or descriptor length throws.</summary>
    public DescriptorStoreMessage(ReadOnlySpan<byte> blindedKey, int descriptorLength)
    {
        _blindedKey = HiddenPointWire.CopyExact(blindedKey, DirectoryLimits.BlindedKeyLength, nameof(blindedKey));
        ArgumentOutOfRangeException.ThrowIfLessThan(descriptorLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(descriptorLength, DirectoryLimits.MaxDescriptorLength);
        _descriptorLength = descriptorLength;
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.DescriptorStore;

    /// <summary>The blinded key the descriptor is stored under for this period.</summary>
    public ReadOnlySpan<byte> BlindedKey => _blindedKey;

    /// <summary>How many descriptor bytes will follow as DATA.</summary>
    public int DescriptorLength => _descriptorLength;

    /// <inheritdoc/>
    public override int DataLength => DirectoryLimits.BlindedKeyLength + 4; // key, length

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out DescriptorStoreMessage? message, out DecodeError error)
    {
        message = null;
        if (!reader.TryReadBytes(DirectoryLimits.BlindedKeyLength, out var key))
        {
            error = reader.Truncated();
            return false;
        }

        var lengthAt = reader.Offset;
        if (!reader.TryReadU32(out var length))
        {
            error = reader.Truncated();
            return false;
        }

        if (length is 0 or > DirectoryLimits.MaxDescriptorLength)
        {
            error = new DecodeError(DecodeErrorKind.BadLength, lengthAt, "descriptor length out of range");
            return false;
        }

        if (!reader.TryExpectEnd(out error))
        {
            return false;
        }

        message = new DescriptorStoreMessage(key, (int)length);
        return true;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
        writer.WriteBytes(_blindedKey);
        writer.WriteU32((uint)_descriptorLength);
    }
}

/// <summary>
/// DESCRIPTOR_FETCH (65, stream): blinded key (32). The HSDir answers with DIRECTORY_RESPONSE, the descriptor as
/// DATA, then END.
/// </summary>
public sealed class DescriptorFetchMessage : RelayMessage
{
    private readonly byte[] _blindedKey;

    /// <summary>Builds the message; a bad key length throws.</summary>
    public DescriptorFetchMessage(ReadOnlySpan<byte> blindedKey)
    {
        _blindedKey = HiddenPointWire.CopyExact(blindedKey, DirectoryLimits.BlindedKeyLength, nameof(blindedKey));
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.DescriptorFetch;

    /// <summary>The blinded key of the wanted descriptor.</summary>
    public ReadOnlySpan<byte> BlindedKey => _blindedKey;

    /// <inheritdoc/>
    public override int DataLength => DirectoryLimits.BlindedKeyLength;

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out DescriptorFetchMessage? message, out DecodeError error)
    {
        message = TryReadExact(ref reader, DirectoryLimits.BlindedKeyLength, out var key, out error)
            ? new DescriptorFetchMessage(key)
            : null;
        return message is not null;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer) => writer.WriteBytes(_blindedKey);
}

/// <summary>What a directory request asks a directory cache for. Open: unknown values decode and get BadRequest.</summary>
public enum DirectoryResource : byte
{
    /// <summary>The current consensus; key = SHA3-256 of the consensus already held (or empty) for NotModified.</summary>
    Consensus = 1,

    /// <summary>One relay's descriptor; key = the relay's Ed25519 identity (32).</summary>
    RelayDescriptor = 2,
}

/// <summary>
/// DIRECTORY_REQUEST (66, stream): resource (1) · key length (1, 0..64) · key. The cache answers with
/// DIRECTORY_RESPONSE, the body as DATA, then END.
/// </summary>
public sealed class DirectoryRequestMessage : RelayMessage
{
    private readonly DirectoryResource _resource;
    private readonly byte[] _key;

    /// <summary>Builds the message; a key longer than 64 bytes throws.</summary>
    public DirectoryRequestMessage(DirectoryResource resource, ReadOnlySpan<byte> key)
    {
        if (key.Length > DirectoryLimits.MaxRequestKeyLength)
        {
            throw new ArgumentException("A directory request key holds at most 64 bytes.", nameof(key));
        }

        _resource = resource;
        _key = key.ToArray();
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.DirectoryRequest;

    /// <summary>What is asked for.</summary>
    public DirectoryResource Resource => _resource;

    /// <summary>Which one, or what the client already holds (meaning depends on <see cref="Resource"/>).</summary>
    public ReadOnlySpan<byte> Key => _key;

    /// <inheritdoc/>
    public override int DataLength => 2 + _key.Length; // resource, length

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out DirectoryRequestMessage? message, out DecodeError error)
    {
        message = null;
        if (!reader.TryReadU8(out var resource))
        {
            error = reader.Truncated();
            return false;
        }

        var lengthAt = reader.Offset;
        if (!reader.TryReadU8(out var length))
        {
            error = reader.Truncated();
            return false;
        }

        if (length > DirectoryLimits.MaxRequestKeyLength)
        {
            error = new DecodeError(DecodeErrorKind.BadLength, lengthAt, "directory request key too long");
            return false;
        }

        if (!reader.TryReadBytes(length, out var key))
        {
            error = new DecodeError(DecodeErrorKind.BadLength, lengthAt, "key length exceeds the message");
            return false;
        }

        if (!reader.TryExpectEnd(out error))
        {
            return false;
        }

        message = new DirectoryRequestMessage((DirectoryResource)resource, key);
        return true;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
        writer.WriteU8((byte)_resource);
        writer.WriteU8((byte)_key.Length);
        writer.WriteBytes(_key);
    }
}

/// <summary>Outcome of a directory command. Open: unknown values decode as themselves.</summary>
public enum DirectoryStatus : byte
{
    /// <summary>Done; for a fetch or request, the body follows as DATA.</summary>
    Ok = 0,

    /// <summary>No such descriptor or document.</summary>
    NotFound = 1,

    /// <summary>The client already holds the current document.</summary>
    NotModified = 2,

    /// <summary>The request was malformed or named an unknown resource.</summary>
    BadRequest = 3,

    /// <summary>The upload exceeds the size limit.</summary>
    TooLarge = 4,

    /// <summary>The descriptor was refused: malformed certificate use, bad signature, expired certificate, old revision.</summary>
    Rejected = 5,

    /// <summary>Temporarily unable to answer (no usable consensus, store full, rate or memory limit): try again later.</summary>
    Unavailable = 6,

    /// <summary>
    /// This relay is not one of the HSDirs the ring of its consensus names for the blinded key, in either period it
    /// holds a shared random value for: the uploader should recompute where the descriptor goes.
    /// </summary>
    NotResponsible = 7,
}

/// <summary>
/// DIRECTORY_RESPONSE (67, stream): status (1) · body length (4, at most 8 MiB; zero unless status is Ok).
/// The body follows as DATA, then END.
/// </summary>
public sealed class DirectoryResponseMessage : RelayMessage
{
    private readonly DirectoryStatus _status;
    private readonly int _bodyLength;

    /// <summary>Builds the message; a body with a non-Ok status, or an over-long body, throws.</summary>
    public DirectoryResponseMessage(DirectoryStatus status, int bodyLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bodyLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bodyLength, DirectoryLimits.MaxResponseLength);
        if (status != DirectoryStatus.Ok && bodyLength != 0)
        {
            throw new ArgumentException("Only an Ok response has a body.", nameof(bodyLength));
        }

        _status = status;
        _bodyLength = bodyLength;
    }

    /// <inheritdoc/>
    public override RelayCommand Command => RelayCommand.DirectoryResponse;

    /// <summary>The outcome.</summary>
    public DirectoryStatus Status => _status;

    /// <summary>How many body bytes follow as DATA.</summary>
    public int BodyLength => _bodyLength;

    /// <inheritdoc/>
    public override int DataLength => 5; // status, length

    /// <summary>Decodes the whole message data.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out DirectoryResponseMessage? message, out DecodeError error)
    {
        message = null;
        if (!reader.TryReadU8(out var status))
        {
            error = reader.Truncated();
            return false;
        }

        var lengthAt = reader.Offset;
        if (!reader.TryReadU32(out var length))
        {
            error = reader.Truncated();
            return false;
        }

        if (length > DirectoryLimits.MaxResponseLength || ((DirectoryStatus)status != DirectoryStatus.Ok && length != 0))
        {
            error = new DecodeError(DecodeErrorKind.BadLength, lengthAt, "response body length out of range");
            return false;
        }

        if (!reader.TryExpectEnd(out error))
        {
            return false;
        }

        message = new DirectoryResponseMessage((DirectoryStatus)status, (int)length);
        return true;
    }

    /// <inheritdoc/>
    public override void EncodeData(ref WireWriter writer)
    {
        writer.WriteU8((byte)_status);
        writer.WriteU32((uint)_bodyLength);
    }
}
