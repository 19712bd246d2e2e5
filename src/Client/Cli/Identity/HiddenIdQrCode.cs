using QRCoder;

namespace HiddenPoint.Client.Cli.Identity;

/// <summary>
/// The hidden-id as a QR code drawn with half-block characters (two modules per character cell, so it fits an 80×24
/// terminal), with the quiet zone around it that scanners need. Light modules are drawn as blocks: on the usual
/// dark-background terminal the code then shows dark on light, as a scanner expects.
/// </summary>
internal static class HiddenIdQrCode
{
    /// <summary>The QR code of <paramref name="text"/>, one string per terminal line.</summary>
    public static IReadOnlyList<string> Draw(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);

        // Error correction M (15%): a hidden-id (60 characters) fits version 4, 33 modules a side: 21 lines of 41 columns with the zone.
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var code = new AsciiQRCode(data);
        return code.GetGraphicSmall(drawQuietZones: true, invert: true, endOfLine: "\n").TrimEnd('\n').Split('\n');
    }
}
