using System.Security.Cryptography;

namespace HiddenPoint.Client.Paths;

/// <summary>
/// A <see cref="Random"/> drawn from the operating system's cryptographic generator. Which relays a client picks must
/// not be predictable from earlier picks; tests pass a seeded <see cref="Random"/> instead.
/// </summary>
public sealed class SecureRandom : Random
{
    /// <summary>The one instance (it holds no state).</summary>
    public static SecureRandom Instance { get; } = new();

    private SecureRandom()
    {
    }

    /// <inheritdoc/>
    public override int Next() => RandomNumberGenerator.GetInt32(int.MaxValue);

    /// <inheritdoc/>
    public override int Next(int maxValue) => maxValue <= 1 ? 0 : RandomNumberGenerator.GetInt32(maxValue);

    /// <inheritdoc/>
    public override int Next(int minValue, int maxValue) => maxValue - minValue <= 1 ? minValue : RandomNumberGenerator.GetInt32(minValue, maxValue);

    /// <inheritdoc/>
    public override long NextInt64(long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        if (maxValue <= 1)
        {
            return 0;
        }

        // Rejection sampling over the largest multiple of maxValue below 2^63, so that every value is equally likely.
        var limit = long.MaxValue - (long.MaxValue % maxValue);
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            var value = BitConverter.ToInt64(bytes) & long.MaxValue;
            if (value < limit)
            {
                return value % maxValue;
            }
        }
    }

    /// <inheritdoc/>
    public override double NextDouble() => (NextInt64(1L << 53)) * (1.0 / (1L << 53));

    /// <inheritdoc/>
    protected override double Sample() => NextDouble();
}
