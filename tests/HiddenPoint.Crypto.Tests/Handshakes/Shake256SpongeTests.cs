using System.Security.Cryptography;
using HiddenPoint.Crypto.Primitives;

namespace HiddenPoint.Crypto.Tests.Handshakes;

/// <summary>The managed SHAKE-256 sponge behind the key streams agrees with the BCL's one-shot SHAKE-256.</summary>
public sealed class Shake256SpongeTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(135)]
    [InlineData(136)]
    [InlineData(137)]
    [InlineData(271)]
    [InlineData(272)]
    [InlineData(1000)]
    public void Matches_the_BCL_for_any_input_and_output_split(int inputLength)
    {
        var random = new Random(inputLength);
        var input = new byte[inputLength];
        random.NextBytes(input);
        var expected = Shake256.HashData(input, 700);

        for (var trial = 0; trial < 20; trial++)
        {
            var sponge = default(Shake256Sponge);
            var offset = 0;
            while (offset < input.Length)
            {
                var take = Math.Min(random.Next(0, 200), input.Length - offset);
                sponge.Absorb(input.AsSpan(offset, take));
                offset += take;
            }

            var output = new byte[expected.Length];
            offset = 0;
            while (offset < output.Length)
            {
                var take = Math.Min(random.Next(0, 300), output.Length - offset);
                sponge.Squeeze(output.AsSpan(offset, take));
                offset += take;
            }

            Assert.Equal(expected, output);
        }
    }

    [Fact]
    public void Absorbing_after_squeezing_is_refused()
    {
        var sponge = default(Shake256Sponge);
        sponge.Squeeze(new byte[1]);
        var threw = false;
        try
        {
            sponge.Absorb([1]);
        }
        catch (InvalidOperationException)
        {
            threw = true;
        }

        Assert.True(threw);
    }

    [Fact]
    public void Clear_returns_to_the_empty_state()
    {
        var sponge = default(Shake256Sponge);
        sponge.Absorb([1, 2, 3]);
        sponge.Squeeze(new byte[10]);
        sponge.Clear();
        var output = new byte[64];
        sponge.Squeeze(output);
        Assert.Equal(Shake256.HashData([], 64), output);
    }
}
