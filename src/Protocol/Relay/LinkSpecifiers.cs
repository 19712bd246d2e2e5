using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Wire;

namespace HiddenPoint.Protocol.Relay;

/// <summary>Link specifier types (Tor's numbers).</summary>
public enum LinkSpecifierType : byte
{
    /// <summary>IPv4 address (4) · port (2).</summary>
    IPv4 = 0,

    /// <summary>IPv6 address (16) · port (2).</summary>
    IPv6 = 1,

    /// <summary>Tor's legacy RSA identity digest (20); HiddenPoint relays have none, so it is carried as unrecognized.</summary>
    LegacyRsaId = 2,

    /// <summary>Ed25519 identity key (32).</summary>
    Ed25519Id = 3,
}

/// <summary>A link specifier of a type this layer does not interpret, kept so that it can be passed on.</summary>
public sealed class UnrecognizedLinkSpecifier
{
    private readonly byte[] _data;

    /// <summary>Builds one; more than 255 bytes throws.</summary>
    public UnrecognizedLinkSpecifier(LinkSpecifierType type, ReadOnlySpan<byte> data)
    {
        if (data.Length > byte.MaxValue)
        {
            throw new ArgumentException("A link specifier holds at most 255 bytes.", nameof(data));
        }

        if (type is LinkSpecifierType.IPv4 or LinkSpecifierType.IPv6 or LinkSpecifierType.Ed25519Id)
        {
            throw new ArgumentException("This type has its own field.", nameof(type));
        }

        Type = type;
        _data = data.ToArray();
    }

    /// <summary>The specifier type.</summary>
    public LinkSpecifierType Type { get; }

    /// <summary>The specifier's bytes.</summary>
    public ReadOnlySpan<byte> Data => _data;
}

/// <summary>
/// The set of link specifiers that names the next relay in EXTEND2 or the rendezvous point in an introduction:
/// NSPEC (1) · NSPEC × [type (1) · length (1) · data]. Exactly one Ed25519 identity, at most one IPv4 and one
/// IPv6 address, at least one address; known types must have their exact lengths; unknown types are kept. An address
/// must be one a relay can have (<see cref="RelayAddress.CanBeRelayAddress"/>: not unspecified, not IPv4-mapped) with
/// a non-zero port, so every endpoint of a decoded set makes a <see cref="RelayAddress"/>.
/// </summary>
public sealed class LinkSpecifiers
{
    private const int IPv4Length = 6; // address, port
    private const int IPv6Length = 18; // address, port

    private readonly UnrecognizedLinkSpecifier[] _unrecognized;

    /// <summary>Builds a set; an address of the wrong family or none a relay can have, port zero or no address at all throws.</summary>
    public LinkSpecifiers(RelayId identity, IPEndPoint? ipv4, IPEndPoint? ipv6, IReadOnlyList<UnrecognizedLinkSpecifier>? unrecognized = null)
    {
        if (ipv4 is null && ipv6 is null)
        {
            throw new ArgumentException("At least one address is required.", nameof(ipv4));
        }

        if (ipv4 is not null && (ipv4.AddressFamily != AddressFamily.InterNetwork || ipv4.Port == 0 || !RelayAddress.CanBeRelayAddress(ipv4.Address)))
        {
            throw new ArgumentException("Not an IPv4 relay endpoint with a port.", nameof(ipv4));
        }

        if (ipv6 is not null && (ipv6.AddressFamily != AddressFamily.InterNetworkV6 || ipv6.Port == 0 || !RelayAddress.CanBeRelayAddress(ipv6.Address)))
        {
            throw new ArgumentException("Not an IPv6 relay endpoint with a port.", nameof(ipv6));
        }

        _unrecognized = unrecognized is null ? [] : [.. unrecognized];
        if (Count > byte.MaxValue)
        {
            throw new ArgumentException("At most 255 link specifiers.", nameof(unrecognized));
        }

        Identity = identity;
        IPv4 = ipv4;
        IPv6 = ipv6;
    }

    /// <summary>The relay's Ed25519 identity.</summary>
    public RelayId Identity { get; }

    /// <summary>The IPv4 endpoint, if any.</summary>
    public IPEndPoint? IPv4 { get; }

    /// <summary>The IPv6 endpoint, if any.</summary>
    public IPEndPoint? IPv6 { get; }

    /// <summary>Specifiers of types this layer does not interpret, in wire order.</summary>
    public IReadOnlyList<UnrecognizedLinkSpecifier> Unrecognized => _unrecognized;

    private int Count => 1 + (IPv4 is null ? 0 : 1) + (IPv6 is null ? 0 : 1) + _unrecognized.Length;

    /// <summary>Bytes that <see cref="Encode"/> writes.</summary>
    public int EncodedLength
    {
        get
        {
            var length = 1 + 2 + Ed25519PublicKey.Length; // count; identity
            if (IPv4 is not null)
            {
                length += 2 + IPv4Length;
            }

            if (IPv6 is not null)
            {
                length += 2 + IPv6Length;
            }

            foreach (var spec in _unrecognized)
            {
                length += 2 + spec.Data.Length;
            }

            return length;
        }
    }

    /// <summary>Reads NSPEC and the specifiers.</summary>
    public static bool TryDecode(ref WireReader reader, [NotNullWhen(true)] out LinkSpecifiers? value, out DecodeError error)
    {
        value = null;
        var countAt = reader.Offset;
        if (!reader.TryReadU8(out var count))
        {
            error = reader.Truncated();
            return false;
        }

        RelayId? identity = null;
        IPEndPoint? ipv4 = null;
        IPEndPoint? ipv6 = null;
        List<UnrecognizedLinkSpecifier>? unrecognized = null;
        for (var i = 0; i < count; i++)
        {
            var specAt = reader.Offset;
            if (!reader.TryReadU8(out var typeByte) || !reader.TryReadU8(out var length))
            {
                error = reader.Truncated();
                return false;
            }

            if (!reader.TryReadBytes(length, out var data))
            {
                error = new DecodeError(DecodeErrorKind.BadLength, specAt + 1, "link specifier length exceeds the message");
                return false;
            }

            var type = (LinkSpecifierType)typeByte;
            switch (type)
            {
                case LinkSpecifierType.IPv4:
                case LinkSpecifierType.IPv6:
                    var isV4 = type == LinkSpecifierType.IPv4;
                    if (data.Length != (isV4 ? IPv4Length : IPv6Length))
                    {
                        error = new DecodeError(DecodeErrorKind.BadLinkSpecifier, specAt, "address specifier has the wrong length");
                        return false;
                    }

                    if ((isV4 ? ipv4 : ipv6) is not null)
                    {
                        error = new DecodeError(DecodeErrorKind.DuplicateLinkSpecifier, specAt, "address family given twice");
                        return false;
                    }

                    var addressLength = data.Length - 2;
                    var port = (data[addressLength] << 8) | data[addressLength + 1];
                    if (port == 0)
                    {
                        error = new DecodeError(DecodeErrorKind.BadLinkSpecifier, specAt, "address specifier with port zero");
                        return false;
                    }

                    var address = new IPAddress(data[..addressLength]);
                    if (!RelayAddress.CanBeRelayAddress(address))
                    {
                        // 0.0.0.0, :: and ::ffff:a.b.c.d name no relay; refused here, they never reach a consumer.
                        error = new DecodeError(DecodeErrorKind.BadLinkSpecifier, specAt, "address specifier names no relay address (unspecified or IPv4-mapped)");
                        return false;
                    }

                    var endpoint = new IPEndPoint(address, port);
                    if (isV4)
                    {
                        ipv4 = endpoint;
                    }
                    else
                    {
                        ipv6 = endpoint;
                    }

                    break;
                case LinkSpecifierType.Ed25519Id:
                    if (data.Length != Ed25519PublicKey.Length)
                    {
                        error = new DecodeError(DecodeErrorKind.BadLinkSpecifier, specAt, "identity specifier has the wrong length");
                        return false;
                    }

                    if (identity is not null)
                    {
                        error = new DecodeError(DecodeErrorKind.DuplicateLinkSpecifier, specAt, "identity given twice");
                        return false;
                    }

                    identity = new RelayId(Ed25519PublicKey.FromBytes(data));
                    break;
                default:
                    (unrecognized ??= []).Add(new UnrecognizedLinkSpecifier(type, data));
                    break;
            }
        }

        if (identity is null)
        {
            error = new DecodeError(DecodeErrorKind.MissingLinkSpecifier, countAt, "no Ed25519 identity");
            return false;
        }

        if (ipv4 is null && ipv6 is null)
        {
            error = new DecodeError(DecodeErrorKind.MissingLinkSpecifier, countAt, "no address");
            return false;
        }

        value = new LinkSpecifiers(identity.Value, ipv4, ipv6, unrecognized);
        error = default;
        return true;
    }

    /// <summary>Writes NSPEC and the specifiers: addresses first, then the identity, then unrecognized ones.</summary>
    public void Encode(ref WireWriter writer)
    {
        writer.WriteU8((byte)Count);
        if (IPv4 is not null)
        {
            WriteEndpoint(ref writer, LinkSpecifierType.IPv4, IPv4, IPv4Length);
        }

        if (IPv6 is not null)
        {
            WriteEndpoint(ref writer, LinkSpecifierType.IPv6, IPv6, IPv6Length);
        }

        writer.WriteU8((byte)LinkSpecifierType.Ed25519Id);
        writer.WriteU8(Ed25519PublicKey.Length);
        Identity.Key.Bytes.CopyTo(writer.Reserve(Ed25519PublicKey.Length));
        foreach (var spec in _unrecognized)
        {
            writer.WriteU8((byte)spec.Type);
            writer.WriteU8((byte)spec.Data.Length);
            writer.WriteBytes(spec.Data);
        }
    }

    private static void WriteEndpoint(ref WireWriter writer, LinkSpecifierType type, IPEndPoint endpoint, int length)
    {
        writer.WriteU8((byte)type);
        writer.WriteU8((byte)length);
        if (!endpoint.Address.TryWriteBytes(writer.Reserve(length - 2), out _))
        {
            throw new InvalidOperationException("Address length does not match its family.");
        }

        writer.WriteU16((ushort)endpoint.Port);
    }
}
