using HiddenPoint.Crypto.Handshakes;

namespace HiddenPoint.Crypto.Tests.Handshakes;

public sealed class CgoExtensionTests
{
    [Fact]
    public void The_request_reads_back_as_version_1()
    {
        Assert.Equal(CgoExtensionError.None, CgoExtension.TryRead(CgoExtension.Request.ToArray(), out var version));
        Assert.Equal(CgoExtension.Version1, version);
        Assert.Equal([1, CgoExtension.Type, 1, CgoExtension.Version1], CgoExtension.Request.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { }, CgoExtensionError.MalformedExtensions)]
    [InlineData(new byte[] { 1, 64 }, CgoExtensionError.MalformedExtensions)]
    [InlineData(new byte[] { 1, 64, 2, 1 }, CgoExtensionError.MalformedExtensions)]
    [InlineData(new byte[] { 1, 64, 1, 1, 0 }, CgoExtensionError.MalformedExtensions)]
    [InlineData(new byte[] { 2, 64, 1, 1, 64, 1, 1 }, CgoExtensionError.MalformedExtensions)]
    [InlineData(new byte[] { 0 }, CgoExtensionError.Missing)]
    [InlineData(new byte[] { 1, 2, 1, 1 }, CgoExtensionError.Missing)]
    [InlineData(new byte[] { 1, 64, 0 }, CgoExtensionError.BadLength)]
    [InlineData(new byte[] { 1, 64, 2, 1, 1 }, CgoExtensionError.BadLength)]
    [InlineData(new byte[] { 1, 64, 1, 2 }, CgoExtensionError.UnsupportedVersion)]
    [InlineData(new byte[] { 1, 64, 1, 0 }, CgoExtensionError.UnsupportedVersion)]
    public void Bad_requests_are_typed_errors(byte[] message, CgoExtensionError expected) =>
        Assert.Equal(expected, CgoExtension.TryRead(message, out _));

    [Fact]
    public void Other_extensions_are_ignored()
    {
        Assert.Equal(CgoExtensionError.None, CgoExtension.TryRead([2, 1, 2, 9, 9, 64, 1, 1], out var version));
        Assert.Equal(1, version);
    }
}
