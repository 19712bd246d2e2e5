using System.Buffers;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.Relay;

namespace HiddenPoint.Protocol.HiddenPoints;

/// <summary>The limits and labels of HiddenPoint's hidden-point descriptor (docs/hidden-point-descriptor.md).</summary>
public static class HsDescriptorFormat
{
    /// <summary>The outer document's first keyword.</summary>
    public const string DocumentKeyword = "hpc-hs-descriptor";

    /// <summary>The format version this code reads and writes.</summary>
    public const int Version = 1;

    /// <summary>Largest descriptor an HSDir stores or a client parses, in bytes (Tor's 50 000).</summary>
    public const int MaxSize = DirectoryLimits.MaxDescriptorLength;

    /// <summary>Shortest <c>descriptor-lifetime</c>, in minutes.</summary>
    public const int MinLifetimeMinutes = 30;

    /// <summary>Longest <c>descriptor-lifetime</c>, in minutes (12 hours).</summary>
    public const int MaxLifetimeMinutes = 720;

    /// <summary>Most introduction points one descriptor lists.</summary>
    public const int MaxIntroductionPoints = 20;

    /// <summary>The middle layer's plaintext is padded with NUL bytes to a multiple of this, to hide how many introduction points there are.</summary>
    public const int MiddlePaddingMultiple = 10_000;

    /// <summary>Bytes of an encrypted blob carried on each line (4096 base64 characters).</summary>
    internal const int BlobBytesPerLine = 3072;

    /// <summary>Most lines an encrypted blob may take: enough for <see cref="MaxSize"/>.</summary>
    internal const int MaxBlobLines = (MaxSize / BlobBytesPerLine) + 1;

    /// <summary>The descriptor signature's domain prefix.</summary>
    internal static ReadOnlySpan<byte> SignaturePrefix => "hpc-hs-descriptor-signature\0"u8;

    /// <summary>Parses an encrypted-blob line group: every line but the last carries exactly <see cref="BlobBytesPerLine"/> bytes.</summary>
    internal static bool TryAppendBlobLine(ReadOnlySpan<byte> text, ArrayBufferWriter<byte> blob, ref bool lastLineShort)
    {
        if (lastLineShort || text.Length > DocumentValues.Base64Length(BlobBytesPerLine))
        {
            return false;
        }

        var length = text.Length * 3 / 4;
        var destination = blob.GetSpan(BlobBytesPerLine)[..length];
        if (length == 0 || !DocumentValues.TryDecodeBase64(text, destination))
        {
            return false;
        }

        blob.Advance(length);
        lastLineShort = length < BlobBytesPerLine;
        return true;
    }

    /// <summary>Writes <paramref name="blob"/> as consecutive <paramref name="keyword"/> lines.</summary>
    internal static void WriteBlob(DocumentWriter writer, string keyword, ReadOnlySpan<byte> blob)
    {
        if (blob.IsEmpty)
        {
            throw new ArgumentException("An encrypted blob is never empty.", nameof(blob));
        }

        while (!blob.IsEmpty)
        {
            var take = Math.Min(BlobBytesPerLine, blob.Length);
            writer.Keyword(keyword).Base64(blob[..take]).EndLine();
            blob = blob[take..];
        }
    }

    /// <summary>Decodes canonical unpadded base64 of any length (the length follows from the text).</summary>
    internal static bool TryDecodeBase64(ReadOnlySpan<byte> text, out byte[] bytes)
    {
        bytes = new byte[text.Length * 3 / 4];
        return DocumentValues.TryDecodeBase64(text, bytes);
    }
}
