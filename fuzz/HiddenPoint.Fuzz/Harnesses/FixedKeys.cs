using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// Keys from fixed seeds, so that a seed input made by one run of <c>hpc-fuzz seed</c> stays valid for every later run
/// (a harness whose keys changed would refuse its own seeds at the first MAC). Fuzzing keys only: never used elsewhere.
/// </summary>
internal static class FixedKeys
{
    public static byte[] Seed(byte domain, byte index)
    {
        var seed = new byte[SecretKey.SeedLength];
        seed[8] = domain;
        seed[16] = index;
        seed[31] = 0x5A;
        return seed;
    }
}
