using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Tests.Keys;

public sealed class KeyTests
{
    [Fact]
    public void A_signature_verifies_under_its_key_only()
    {
        using var key = RelayIdentityKey.Generate();
        using var other = RelayIdentityKey.Generate();
        byte[] message = [1, 2, 3, 4];
        var signature = key.Sign(message);

        Assert.True(key.PublicKey.Verify(message, signature));
        Assert.False(other.PublicKey.Verify(message, signature));
        Assert.False(key.PublicKey.Verify([1, 2, 3, 5], signature));
        signature[10] ^= 1;
        Assert.False(key.PublicKey.Verify(message, signature));
        Assert.False(key.PublicKey.Verify(message, signature.AsSpan(0, 63)));
    }

    [Fact]
    public void A_seed_gives_the_RFC_8032_public_key()
    {
        // RFC 8032 §7.1, TEST 1.
        using var key = HiddenPointIdentityKey.FromSeed(
            Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        Assert.Equal(
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            Convert.ToHexStringLower(key.PublicKey.Bytes));
    }

    [Fact]
    public void An_X25519_seed_gives_the_RFC_7748_public_key()
    {
        // RFC 7748 §6.1, Alice.
        using var key = LinkKey.FromSeed(
            Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        Assert.Equal(
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
            Convert.ToHexStringLower(key.PublicKey.Bytes));
    }

    [Fact]
    public void Public_keys_are_values()
    {
        using var key = AuthorityIdentityKey.Generate();
        var copy = Ed25519PublicKey.FromBytes(key.PublicKey.Bytes);

        Assert.Equal(key.PublicKey, copy);
        Assert.Equal(key.PublicKey.GetHashCode(), copy.GetHashCode());
        Assert.Equal(key.Id, new AuthorityId(copy));
        Assert.NotEqual(default, key.PublicKey);
        Assert.Throws<ArgumentException>(() => Ed25519PublicKey.FromBytes(new byte[31]));
        Assert.Throws<ArgumentException>(() => X25519PublicKey.FromBytes(new byte[33]));
        Assert.Throws<ArgumentException>(() => LinkKey.FromSeed(new byte[16]));
    }

    [Fact]
    public void A_hidden_point_key_from_its_key_file_blinds_and_signs_as_its_expanded_form()
    {
        using var key = HiddenPointIdentityKey.Generate();
        using var expanded = key.ToExpandedSecretKey();
        Assert.Equal(key.PublicKey.Bytes.ToArray(), expanded.PublicKey.Bytes.ToArray());
        Assert.Equal(key.IdentityPublicKey.Bytes.ToArray(), expanded.PublicKey.Bytes.ToArray());

        var period = HiddenPoint.Crypto.HiddenPoints.TimePeriod.FromInstant(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var labels = HiddenPoint.Crypto.HiddenPoints.KeyBlindingLabels.Hpc;
        using var blinded = HiddenPoint.Crypto.HiddenPoints.KeyBlinding.BlindSigningKey(expanded, period, labels, default);
        var signature = new byte[64];
        blinded.Sign([7, 7, 7], signature);
        Assert.True(HiddenPoint.Crypto.HiddenPoints.KeyBlinding.BlindPublicKey(key.IdentityPublicKey, period, labels, default).Verify([7, 7, 7], signature));
    }

    [Fact]
    public void An_X25519_key_agrees_like_RFC_7748_and_refuses_low_order_points_and_use_after_dispose()
    {
        // RFC 7748 §6.1: Alice's secret with Bob's public key.
        var key = LinkKey.FromSeed(Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        var shared = new byte[32];
        Assert.True(key.TryAgree(Convert.FromHexString("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), shared));
        Assert.Equal("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", Convert.ToHexStringLower(shared));

        Assert.False(key.TryAgree(new byte[32], shared));
        Assert.Equal(new byte[32], shared);

        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.TryAgree(new byte[32], shared));
    }
}
