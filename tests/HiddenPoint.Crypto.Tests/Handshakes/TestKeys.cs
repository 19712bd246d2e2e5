using HiddenPoint.Crypto.Handshakes;
using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Crypto.Tests.Handshakes;

internal static class TestKeys
{
    /// <summary>
    /// Curve25519 points of small order (orders 1, 2, 4, 8) in their canonical and non-canonical encodings, with
    /// and without the ignored top bit: X25519 with any of them yields all zeros.
    /// </summary>
    public static TheoryData<string> LowOrderPoints()
    {
        string[] canonical =
        [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ];
        var data = new TheoryData<string>();
        foreach (var hex in canonical)
        {
            data.Add(hex);
            var withTopBit = Convert.FromHexString(hex);
            withTopBit[31] |= 0x80;
            data.Add(Convert.ToHexStringLower(withTopBit));
        }

        return data;
    }

    public static RelayId RandomIdentity()
    {
        var bytes = new byte[32];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return new RelayId(Ed25519PublicKey.FromBytes(bytes));
    }

    public static byte[] Random(int length)
    {
        var bytes = new byte[length];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return bytes;
    }

    public static byte[] Flip(ReadOnlySpan<byte> data, int index, int bit = 0)
    {
        var copy = data.ToArray();
        copy[index] ^= (byte)(1 << bit);
        return copy;
    }

    public static byte[] ReadKeys(NtorKeyStreamReader reader, int length)
    {
        var bytes = new byte[length];
        reader.Read(bytes);
        return bytes;
    }
}
