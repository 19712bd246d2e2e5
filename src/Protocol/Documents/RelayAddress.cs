using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HiddenPoint.Protocol.Documents;

/// <summary>An address where a relay accepts links: IPv4 or IPv6, and a port 1–65535.</summary>
public readonly struct RelayAddress : IEquatable<RelayAddress>
{
    /// <summary>Creates an address.</summary>
    /// <exception cref="ArgumentException">Not IPv4 or IPv6, unspecified, IPv4-mapped, zoned, or port 0.</exception>
    public RelayAddress(IPAddress address, ushort port)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!CanBeRelayAddress(address))
        {
            throw new ArgumentException($"'{address}' cannot be a relay address.", nameof(address));
        }

        if (port == 0)
        {
            throw new ArgumentException("A relay address needs a port from 1 to 65535.", nameof(port));
        }

        Address = address;
        Port = port;
    }

    /// <summary>The IP address.</summary>
    public IPAddress Address { get; }

    /// <summary>The TCP port.</summary>
    public ushort Port { get; }

    /// <summary>
    /// Whether <paramref name="address"/> can be a relay's: IPv4 or IPv6, and neither unspecified (<c>0.0.0.0</c>,
    /// <c>::</c>), nor IPv4-mapped (<c>::ffff:a.b.c.d</c>, which is the IPv4 address's to list), nor zoned.
    /// </summary>
    public static bool CanBeRelayAddress([NotNullWhen(true)] IPAddress? address) =>
        address is not null
        && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
        && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !address.IsIPv4MappedToIPv6
        && (address.AddressFamily == AddressFamily.InterNetwork || address.ScopeId == 0);

    /// <summary>
    /// Makes an address from values a peer chose (a link specifier, a document): false, never an exception, when
    /// <paramref name="address"/> cannot be a relay's (<see cref="CanBeRelayAddress"/>) or <paramref name="port"/> is 0.
    /// </summary>
    public static bool TryCreate(IPAddress? address, int port, out RelayAddress relayAddress)
    {
        if (!CanBeRelayAddress(address) || port is <= 0 or > ushort.MaxValue)
        {
            relayAddress = default;
            return false;
        }

        relayAddress = new RelayAddress(address, (ushort)port);
        return true;
    }

    /// <summary>Parses the document form (<c>1.2.3.4:9001</c>, <c>[2001:db8::1]:9001</c>); canonical spellings only.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out RelayAddress address)
    {
        address = default;
        if (text.Length > 64)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[64];
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 0x7E)
            {
                return false;
            }

            bytes[i] = (byte)text[i];
        }

        return DocumentValues.TryParseAddress(bytes[..text.Length], out address);
    }

    /// <summary>The document form: <c>1.2.3.4:9001</c> or <c>[2001:db8::1]:9001</c>.</summary>
    public override string ToString()
    {
        if (Address is null)
        {
            return string.Empty;
        }

        var builder = new StringBuilder(48);
        if (Address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            builder.Append('[').Append(Address).Append(']');
        }
        else
        {
            builder.Append(Address);
        }

        return builder.Append(':').Append(Port).ToString();
    }

    /// <inheritdoc/>
    public bool Equals(RelayAddress other) => Port == other.Port && Equals(Address, other.Address);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RelayAddress other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Address, Port);

#pragma warning disable CS1591 // Operators of an equatable value.
    public static bool operator ==(RelayAddress left, RelayAddress right) => left.Equals(right);

    public static bool operator !=(RelayAddress left, RelayAddress right) => !left.Equals(right);
#pragma warning restore CS1591
}

/// <summary>What the authorities say about a relay. The bit order is the canonical (ordinal name) order of the flags on an <c>s</c> line.</summary>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Relay flags is the directory protocol's own name.")]
public enum RelayFlags
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Fast enough to be used on circuits that need speed.</summary>
    Fast = 1 << 0,

    /// <summary>Suitable as a client's entry guard.</summary>
    Guard = 1 << 1,

    /// <summary>Stores hidden-point descriptors (a position on the HSDir ring).</summary>
    HSDir = 1 << 2,

    /// <summary>Reachable at the last test.</summary>
    Running = 1 << 3,

    /// <summary>Up long enough to be used for long-lived circuits.</summary>
    Stable = 1 << 4,

    /// <summary>Runs an acceptable version and is not known to misbehave.</summary>
    Valid = 1 << 5,
}

/// <summary>Names of <see cref="RelayFlags"/> as documents spell them, in canonical order.</summary>
internal static class RelayFlagNames
{
    public const int Count = 6;

    public static ReadOnlySpan<byte> Name(int bit) => bit switch
    {
        0 => "Fast"u8,
        1 => "Guard"u8,
        2 => "HSDir"u8,
        3 => "Running"u8,
        4 => "Stable"u8,
        5 => "Valid"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(bit)),
    };

    public static int BitOf(ReadOnlySpan<byte> name)
    {
        for (var bit = 0; bit < Count; bit++)
        {
            if (name.SequenceEqual(Name(bit)))
            {
                return bit;
            }
        }

        return -1;
    }

    public const RelayFlags All = RelayFlags.Fast | RelayFlags.Guard | RelayFlags.HSDir | RelayFlags.Running |
        RelayFlags.Stable | RelayFlags.Valid;
}
