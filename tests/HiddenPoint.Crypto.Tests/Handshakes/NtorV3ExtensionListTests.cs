using HiddenPoint.Crypto.Handshakes;

namespace HiddenPoint.Crypto.Tests.Handshakes;

public sealed class NtorV3ExtensionListTests
{
    [Fact]
    public void Encodes_count_then_type_length_body()
    {
        var list = new NtorV3ExtensionList(new NtorV3Extension(1, []), new NtorV3Extension(3, [0xAA, 0xBB]));
        Assert.Equal(new byte[] { 2, 1, 0, 3, 2, 0xAA, 0xBB }, list.ToArray());
        Assert.Equal(7, list.EncodedLength);
        Assert.Equal(new byte[] { 0 }, NtorV3ExtensionList.Empty.ToArray());
    }

    [Fact]
    public void Round_trips_including_unknown_types_and_the_largest_body()
    {
        var big = new byte[NtorV3Extension.MaxDataLength];
        new Random(1).NextBytes(big);
        var list = new NtorV3ExtensionList(new NtorV3Extension(7, big), new NtorV3Extension(200, [1]), new NtorV3Extension(2, []));
        Assert.True(NtorV3ExtensionList.TryParse(list.ToArray(), out var parsed, out var error));
        Assert.Equal(NtorV3ExtensionError.None, error);
        Assert.Equal(3, parsed.Count);
        Assert.Equal(7, parsed[0].Type);
        Assert.Equal(big, parsed[0].Data.ToArray());
        Assert.Equal(200, parsed[1].Type);
        Assert.Equal([1], parsed[1].Data.ToArray());
        Assert.Equal(2, parsed[2].Type);
        Assert.True(parsed[2].Data.IsEmpty);
        Assert.False(parsed.TryGet(9, out _));
    }

    [Theory]
    [InlineData("", NtorV3ExtensionError.Truncated)] // no N_EXTENSIONS
    [InlineData("01", NtorV3ExtensionError.Truncated)] // announced extension missing
    [InlineData("0105", NtorV3ExtensionError.Truncated)] // header cut
    [InlineData("010502aa", NtorV3ExtensionError.Truncated)] // body cut
    [InlineData("020100", NtorV3ExtensionError.Truncated)] // second extension missing
    [InlineData("0000", NtorV3ExtensionError.TrailingBytes)]
    [InlineData("01010000", NtorV3ExtensionError.TrailingBytes)]
    [InlineData("0201000100", NtorV3ExtensionError.DuplicateType)]
    [InlineData("03010002010101000101", NtorV3ExtensionError.DuplicateType)]
    public void Malformed_lists_are_typed_errors(string hex, NtorV3ExtensionError expected)
    {
        Assert.False(NtorV3ExtensionList.TryParse(Convert.FromHexString(hex), out var list, out var error));
        Assert.Null(list);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(358);
        for (var i = 0; i < 5000; i++)
        {
            var input = new byte[random.Next(0, 40)];
            random.NextBytes(input);
            if (input.Length > 0)
            {
                input[0] = (byte)random.Next(0, 6);
            }

            var ok = NtorV3ExtensionList.TryParse(input, out var list, out var error);
            Assert.Equal(ok, error == NtorV3ExtensionError.None);
            if (ok)
            {
                Assert.Equal(input, list!.ToArray());
            }
        }
    }

    [Fact]
    public void Building_an_invalid_list_is_caller_misuse()
    {
        Assert.Throws<ArgumentException>(() => new NtorV3Extension(1, new byte[256]));
        Assert.Throws<ArgumentException>(() => new NtorV3ExtensionList(new NtorV3Extension(1, []), new NtorV3Extension(1, [2])));
        Assert.Throws<ArgumentException>(() => new NtorV3ExtensionList(new NtorV3Extension[256]));
    }
}
