using System.Security.Cryptography;
using HiddenPoint.Crypto.Cgo;

namespace HiddenPoint.Crypto.Handshakes;

/// <summary>
/// How a hop's keys come out of its handshake's key stream, at both ends. A relay hop (ntor v3, CGO version 1 of
/// <see cref="CgoExtension"/>) takes the first <see cref="CgoKeyMaterialLength"/> bytes as its CGO layer (forward
/// K ‖ N, then backward K ‖ N) and the next <see cref="BindingKeyLength"/> bytes as the circuit's binding key KH. The
/// end-to-end hop of a joined rendezvous circuit (hs_ntor) takes the CGO layer the same way and, instead of a
/// binding key, the next <see cref="ChannelBindingLength"/> bytes as the connection's channel binding.
/// </summary>
public static class CircuitKeySchedule
{
    /// <summary>Length of KH, the binding key ESTABLISH_INTRO's MAC is keyed with.</summary>
    public const int BindingKeyLength = 32;

    /// <summary>The CGO key material of one hop: AES-128, as the network runs it (160 bytes).</summary>
    public static int CgoKeyMaterialLength => CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128);

    /// <summary>The relay's end of a hop: its CGO layer, read from the start of <paramref name="keyStream"/>.</summary>
    public static CgoRelayHop ReadRelayHop(NtorKeyStreamReader keyStream)
    {
        ArgumentNullException.ThrowIfNull(keyStream);
        Span<byte> material = stackalloc byte[CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128)];
        try
        {
            keyStream.Read(material);
            return new CgoRelayHop(material);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    /// <summary>The originator's end of a hop: its CGO layer, read from the start of <paramref name="keyStream"/>.</summary>
    public static CgoClientHop ReadClientHop(NtorKeyStreamReader keyStream)
    {
        ArgumentNullException.ThrowIfNull(keyStream);
        Span<byte> material = stackalloc byte[CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128)];
        try
        {
            keyStream.Read(material);
            return new CgoClientHop(material);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    /// <summary>Length of a hidden-point connection's channel binding.</summary>
    public const int ChannelBindingLength = 32;

    /// <summary>
    /// A hidden-point connection's channel binding: the <see cref="ChannelBindingLength"/> bytes of the hs_ntor key
    /// stream that follow the end-to-end hop's CGO key material. Both ends read it; nobody else knows it (the key
    /// stream never leaves the two ends), and every rendezvous yields a fresh one, so a proof signed over it cannot
    /// be replayed on another connection.
    /// </summary>
    public static void ReadChannelBinding(NtorKeyStreamReader keyStream, Span<byte> channelBinding)
    {
        ArgumentNullException.ThrowIfNull(keyStream);
        if (channelBinding.Length != ChannelBindingLength)
        {
            throw new ArgumentException($"The channel binding is {ChannelBindingLength} bytes.", nameof(channelBinding));
        }

        keyStream.Read(channelBinding);
    }

    /// <summary>KH: the <see cref="BindingKeyLength"/> bytes that follow the CGO key material of a relay hop.</summary>
    public static void ReadBindingKey(NtorKeyStreamReader keyStream, Span<byte> bindingKey)
    {
        ArgumentNullException.ThrowIfNull(keyStream);
        if (bindingKey.Length != BindingKeyLength)
        {
            throw new ArgumentException($"The binding key is {BindingKeyLength} bytes.", nameof(bindingKey));
        }

        keyStream.Read(bindingKey);
    }
}
