using System.Net;
using HiddenPoint.Client.Connecting;
using HiddenPoint.Client.HiddenPoints;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Client.Tests.HiddenPoints;
using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Network.HiddenPoints;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Protocol.Relay;
using Microsoft.Extensions.Logging.Abstractions;

namespace HiddenPoint.Client.Tests.Hosting;

/// <summary>The descriptor the host builds, opened as a client opens it, and an introduction made from it opened by the host.</summary>
public sealed class DescriptorRoundTripTests : IDisposable
{
    private static readonly TimePeriod Period = TimePeriod.FromInstant(DateTimeOffset.UtcNow);
    private readonly HiddenPointIdentityKey _identity = HiddenPointIdentityKey.Generate();
    private readonly HiddenPointIdentitySecretKey _expanded;
    private readonly DescriptorPublisher _publisher;
    private readonly List<(RelayStatus Relay, HsIntroAuthSigningKey Auth, HsIntroEncryptionKey Encryption)> _points = [];

    public DescriptorRoundTripTests()
    {
        _expanded = _identity.ToExpandedSecretKey();
        _publisher = new DescriptorPublisher(
            _expanded, new UnusedCircuitProvider(), new HsDirViewSource(new NoConsensus()), new HostingOptions(), TimeProvider.System, NullLogger.Instance);
        for (var i = 0; i < 3; i++)
        {
            _points.Add((Relay(i), HsIntroAuthSigningKey.Generate(), HsIntroEncryptionKey.Generate()));
        }
    }

    [Fact]
    public void The_descriptor_opens_with_the_hidden_id_alone_and_lists_the_introduction_points_with_their_keys()
    {
        var now = DateTimeOffset.UtcNow;
        var (blindedKey, subcredential, document) = _publisher.Build(Period, now, Entries());

        var hiddenId = _identity.IdentityPublicKey.ToHiddenId();
        Assert.True(HiddenPointDescriptor.TryOpen(document, hiddenId.IdentityKey, Period, now, out var descriptor, out var points, out var error), error.ToString());
        Assert.Equal(KeyBlinding.BlindPublicKey(hiddenId.IdentityKey, Period, KeyBlindingLabels.Hpc), blindedKey);
        Assert.Equal(blindedKey, descriptor.BlindedKey);
        Assert.Equal(KeyBlinding.ComputeSubcredential(hiddenId.IdentityKey, Period, KeyBlindingLabels.Hpc), subcredential);
        Assert.Equal(180, descriptor.LifetimeMinutes);
        Assert.True(descriptor.SigningKeyExpires >= now + DescriptorPublisher.CertificateLifetime);
        Assert.Equal(3, points.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(_points[i].Relay.Id, points[i].LinkSpecifiers.Identity);
            Assert.Equal(_points[i].Relay.CircuitHandshakeKey, points[i].OnionKey);
            Assert.Equal(_points[i].Auth.PublicKey, points[i].AuthKey.Key);
            Assert.Equal(_points[i].Encryption.Public, points[i].EncryptionKey);
        }
    }

    [Fact]
    public void Each_new_descriptor_of_a_period_has_a_higher_revision_and_the_same_signing_key()
    {
        var now = DateTimeOffset.UtcNow;
        var identity = _identity.IdentityPublicKey;
        var first = Open(_publisher.Build(Period, now, Entries()).Document, now);
        var second = Open(_publisher.Build(Period, now, Entries()).Document, now);

        Assert.True(second.RevisionCounter > first.RevisionCounter);
        Assert.Equal(first.SigningKey, second.SigningKey);
        Assert.False(HiddenPointDescriptor.TryOpen(_publisher.Build(Period, now, Entries()).Document, identity, Period.Next(), now, out _, out _, out _));
    }

    [Fact]
    public void An_introduction_made_from_the_opened_descriptor_opens_with_the_host_s_keys_and_subcredential()
    {
        var now = DateTimeOffset.UtcNow;
        var (_, hostSubcredential, document) = _publisher.Build(Period, now, Entries());
        var identity = _identity.IdentityPublicKey;
        Assert.True(HiddenPointDescriptor.TryOpen(document, identity, Period, now, out _, out var points, out _));
        var clientSubcredential = KeyBlinding.ComputeSubcredential(identity, Period, KeyBlindingLabels.Hpc);
        var cookie = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        var rendezvousPoint = Relay(9);

        Assert.True(HsNtorClient.TryStart(HsNtorLabels.Hpc, points[1].AuthKey, points[1].EncryptionKey, clientSubcredential, out var handshake, out _));
        using (handshake)
        {
            var introduce1 = IntroduceRequest.Create(handshake, points[1].AuthKey, cookie, rendezvousPoint);
            var data = introduce1.EncodeData();
            var sectionLength = 32 + introduce1.EncryptedData.Length + 32;
            var service = new HsNtorService(HsNtorLabels.Hpc, _points[1].Encryption, new HsIntroAuthKey(_points[1].Auth.PublicKey), hostSubcredential);

            Assert.True(service.TryOpenIntroduce(data.AsSpan(0, data.Length - sectionLength), data.AsSpan(data.Length - sectionLength), out var introduction, out var error), error.ToString());
            using (introduction)
            {
                Assert.Equal(IntroduceRequest.PaddedPlaintextLength, introduction.Plaintext.Length);
                Assert.True(IntroducePlaintext.TryDecode(introduction.Plaintext, out var plaintext, out _));
                Assert.Equal(cookie, plaintext.Cookie.ToArray());
                Assert.Equal(rendezvousPoint.Id, plaintext.RendezvousPoint.Identity);
                Assert.Equal(rendezvousPoint.CircuitHandshakeKey.Key.Bytes.ToArray(), plaintext.OnionKey.ToArray());
            }
        }
    }

    public void Dispose()
    {
        foreach (var (_, auth, encryption) in _points)
        {
            auth.Dispose();
            encryption.Dispose();
        }

        _publisher.Dispose();
        _expanded.Dispose();
        _identity.Dispose();
    }

    private static RelayStatus Relay(int index)
    {
        using var identity = RelayIdentityKey.Generate();
        using var link = LinkKey.Generate();
        using var onion = CircuitHandshakeKey.Generate();
        return new RelayStatus(
            identity.Id, $"relay{index}", [new RelayAddress(IPAddress.Parse($"10.0.0.{index + 1}"), 9001)], link.Public, onion.Public,
            RelayFlags.Running | RelayFlags.Valid, 100);
    }

    private HsDescriptor Open(byte[] document, DateTimeOffset now)
    {
        Assert.True(HiddenPointDescriptor.TryOpen(document, _identity.IdentityPublicKey, Period, now, out var descriptor, out _, out var error), error.ToString());
        return descriptor;
    }

    private List<HsIntroductionPoint> Entries() =>
        [.. _points.Select(p => new HsIntroductionPoint(RelayLinkSpecifiers.Of(p.Relay), p.Relay.CircuitHandshakeKey, new HsIntroAuthKey(p.Auth.PublicKey), p.Encryption.Public))];

    private sealed class NoConsensus : IConsensusSource
    {
        public ReadOnlyMemory<byte> LatestDocument => ReadOnlyMemory<byte>.Empty;

        public bool TryGetUsable([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Consensus? consensus, out ConsensusUnavailable reason)
        {
            consensus = null;
            reason = ConsensusUnavailable.NoneYet;
            return false;
        }
    }
}
