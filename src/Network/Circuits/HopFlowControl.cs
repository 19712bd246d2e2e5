using System.Security.Cryptography;
using HiddenPoint.Crypto.Cgo;

namespace HiddenPoint.Network.Circuits;

/// <summary>
/// SENDME windows with one hop: the package window (DATA this side may still originate towards the hop), the deliver
/// window (DATA the hop may still send), and the CGO tags this side expects the hop to echo in its SENDMEs. Made on
/// first use, so an idle circuit carries none.
/// </summary>
internal sealed class HopFlowControl
{
    private readonly int _increment;
    private readonly byte[] _expectedTags;
    private int _head;
    private int _count;

    public HopFlowControl(int window, int increment)
    {
        _increment = increment;
        PackageWindow = window;
        DeliverWindow = window;
        _expectedTags = new byte[window / increment * CgoSizes.TagLength];
    }

    public int PackageWindow { get; private set; }

    public int DeliverWindow { get; private set; }

    private int Packaged { get; set; }

    private int Delivered { get; set; }

    private int Slots => _expectedTags.Length / CgoSizes.TagLength;

    /// <summary>Counts one DATA originated; the tag of every increment-th one is kept to check the SENDME against.</summary>
    public void OnPackaged(ReadOnlySpan<byte> tag)
    {
        PackageWindow--;
        Packaged++;
        if (Packaged % _increment == 0)
        {
            // The window bounds the number of outstanding tags, so the ring cannot overflow.
            var slot = (_head + _count) % Slots;
            tag[..CgoSizes.TagLength].CopyTo(_expectedTags.AsSpan(slot * CgoSizes.TagLength, CgoSizes.TagLength));
            _count++;
        }
    }

    /// <summary>A SENDME arrived: true (and the window reopens by one increment) when it echoes the oldest expected tag.</summary>
    public bool TryAcceptSendme(ReadOnlySpan<byte> tag)
    {
        if (_count == 0)
        {
            return false;
        }

        var expected = _expectedTags.AsSpan(_head * CgoSizes.TagLength, CgoSizes.TagLength);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            return false;
        }

        expected.Clear();
        _head = (_head + 1) % Slots;
        _count--;
        PackageWindow += _increment;
        return true;
    }

    /// <summary>
    /// Counts one DATA received. Returns false when the peer overran the window; sets <paramref name="sendmeDue"/> on
    /// every increment-th one, whose tag the SENDME must carry.
    /// </summary>
    public bool OnDelivered(out bool sendmeDue)
    {
        DeliverWindow--;
        Delivered++;
        sendmeDue = Delivered % _increment == 0;
        return DeliverWindow >= 0;
    }

    public void OnSendmeSent() => DeliverWindow += _increment;
}
