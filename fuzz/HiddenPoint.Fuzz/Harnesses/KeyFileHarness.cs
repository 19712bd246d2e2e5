using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// Key files (FZ-14): the first input byte picks the role the file is read as; the rest is the file. An accepted key
/// must encode to a file that decodes to the same public key.
/// </summary>
internal sealed class KeyFileHarness : Harness
{
    public override string Name => "key-file";

    public override string Description => "key files for every role (first byte picks the role; round-tripped)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var file = input[1..];
        switch (input[0] % 6)
        {
            case 0: RoundTrip<RelayIdentityKey>(file); break;
            case 1: RoundTrip<AuthorityIdentityKey>(file); break;
            case 2: RoundTrip<HiddenPointIdentityKey>(file); break;
            case 3: RoundTrip<LinkKey>(file); break;
            case 4: RoundTrip<CircuitHandshakeKey>(file); break;
            default: RoundTrip<HsIntroEncryptionKey>(file); break;
        }
    }

    private static void RoundTrip<TKey>(ReadOnlySpan<byte> file)
        where TKey : SecretKey, ISecretKeyRole<TKey>
    {
        if (!KeyFileFormat.TryDecode<TKey>(file, out var key, out _, out _) || key is null)
        {
            return;
        }

        using (key)
        {
            var encoded = KeyFileFormat.Encode(key);
            CheckAccepted(KeyFileFormat.TryDecode<TKey>(encoded, out var again, out _, out _) && again is not null, "key file");
            using (again)
            {
                CheckSame(key.PublicKeyBytes, again.PublicKeyBytes, "key file");
                CheckSame(encoded, KeyFileFormat.Encode(again), "key file");
            }
        }
    }

    public override IEnumerable<byte[]> Seeds()
    {
        using var relay = RelayIdentityKey.FromSeed(FixedKeys.Seed(15, 0));
        using var authority = AuthorityIdentityKey.FromSeed(FixedKeys.Seed(15, 1));
        using var hiddenPoint = HiddenPointIdentityKey.FromSeed(FixedKeys.Seed(15, 2));
        using var link = LinkKey.FromSeed(FixedKeys.Seed(15, 3));
        using var circuit = CircuitHandshakeKey.FromSeed(FixedKeys.Seed(15, 4));
        using var intro = HsIntroEncryptionKey.FromSeed(FixedKeys.Seed(15, 5));
        yield return [0, .. KeyFileFormat.Encode(relay)];
        yield return [1, .. KeyFileFormat.Encode(authority)];
        yield return [2, .. KeyFileFormat.Encode(hiddenPoint)];
        yield return [3, .. KeyFileFormat.Encode(link)];
        yield return [4, .. KeyFileFormat.Encode(circuit)];
        yield return [5, .. KeyFileFormat.Encode(intro)];
        yield return [0, .. KeyFileFormat.Encode(link)];
    }
}
