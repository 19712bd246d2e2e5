namespace HiddenPoint.Crypto.HiddenPoints;

/// <summary>
/// RFC 4648 base32 in lower case without padding, for inputs whose length is a multiple of 5 bytes (so every character
/// carries exactly five bits and there is no partial group to canonicalize).
/// </summary>
internal static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>The result of decoding one character.</summary>
    public enum CharacterKind
    {
        Valid,
        UpperCase,
        Invalid,
    }

    public static int EncodedLength(int byteCount) => byteCount / 5 * 8;

    public static void Encode(ReadOnlySpan<byte> data, Span<char> destination)
    {
        if (data.Length % 5 != 0 || destination.Length != EncodedLength(data.Length))
        {
            throw new ArgumentException("Base32 input must be a multiple of 5 bytes and the output 8/5 of it.");
        }

        for (int i = 0, o = 0; i < data.Length; i += 5, o += 8)
        {
            ulong group = ((ulong)data[i] << 32) | ((ulong)data[i + 1] << 24) | ((ulong)data[i + 2] << 16) |
                          ((ulong)data[i + 3] << 8) | data[i + 4];
            for (var c = 0; c < 8; c++)
            {
                destination[o + c] = Alphabet[(int)((group >> (35 - (5 * c))) & 0x1f)];
            }
        }
    }

    /// <summary>
    /// Decodes <paramref name="text"/> into <paramref name="destination"/>. On a bad character, returns its kind and
    /// leaves <paramref name="destination"/> partly written.
    /// </summary>
    public static CharacterKind TryDecode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (text.Length % 8 != 0 || destination.Length != text.Length / 8 * 5)
        {
            throw new ArgumentException("Base32 text must be a multiple of 8 characters and the output 5/8 of it.");
        }

        for (int i = 0, o = 0; i < text.Length; i += 8, o += 5)
        {
            ulong group = 0;
            for (var c = 0; c < 8; c++)
            {
                var kind = DecodeCharacter(text[i + c], out var value);
                if (kind != CharacterKind.Valid)
                {
                    return kind;
                }

                group = (group << 5) | value;
            }

            // Truncating casts: each takes the low eight bits of the shifted group.
            destination[o] = unchecked((byte)(group >> 32));
            destination[o + 1] = unchecked((byte)(group >> 24));
            destination[o + 2] = unchecked((byte)(group >> 16));
            destination[o + 3] = unchecked((byte)(group >> 8));
            destination[o + 4] = unchecked((byte)group);
        }

        return CharacterKind.Valid;
    }

    private static CharacterKind DecodeCharacter(char c, out uint value)
    {
        switch (c)
        {
            case >= 'a' and <= 'z':
                value = (uint)(c - 'a');
                return CharacterKind.Valid;
            case >= '2' and <= '7':
                value = (uint)(c - '2' + 26);
                return CharacterKind.Valid;
            case >= 'A' and <= 'Z':
                // Refused rather than folded: one hidden-id has exactly one spelling.
                value = 0;
                return CharacterKind.UpperCase;
            default:
                value = 0;
                return CharacterKind.Invalid;
        }
    }
}
