using System.Text;
using HiddenPoint.Client.Api.Server;

namespace HiddenPoint.Client.Tests.Api;

/// <summary>The request size limit of the local API: one line at most so many bytes, however the reads split it.</summary>
public sealed class LineLengthLimitStreamTests
{
    [Fact]
    public async Task Lines_within_the_limit_pass_through_whole()
    {
        var text = "12345678\n1234\n12345678\n";
        using var limited = new LineLengthLimitStream(new MemoryStream(Encoding.ASCII.GetBytes(text)), 8);
        using var reader = new StreamReader(limited);
        Assert.Equal(text, await reader.ReadToEndAsync());
        Assert.False(limited.Exceeded);
    }

    [Fact]
    public async Task A_line_over_the_limit_fails_the_read_even_when_it_arrives_in_small_pieces()
    {
        using var limited = new LineLengthLimitStream(new TrickleStream(Encoding.ASCII.GetBytes("1234\n123456789\n"), 2), 8);
        var buffer = new byte[64];
        await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            while (await limited.ReadAsync(buffer) > 0)
            {
            }
        });
        Assert.True(limited.Exceeded);
    }

    [Fact]
    public async Task A_long_line_inside_one_read_between_short_ones_is_caught()
    {
        using var limited = new LineLengthLimitStream(new MemoryStream(Encoding.ASCII.GetBytes("1\n123456789\n1\n")), 8);
        // One read takes all three lines: the middle one is over the limit.
        await Assert.ThrowsAsync<InvalidDataException>(async () => _ = await limited.ReadAtLeastAsync(new byte[64], 14, throwOnEndOfStream: false));
    }

    /// <summary>Hands out at most <c>piece</c> bytes per read.</summary>
    private sealed class TrickleStream(byte[] data, int piece) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(piece, buffer.Length)], cancellationToken);
    }
}
