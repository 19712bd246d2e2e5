using System.Runtime.Intrinsics;
using HiddenPoint.Crypto.Cgo;
using HiddenPoint.Crypto.Primitives;
using HiddenPoint.Crypto.Tests.Vectors;
using Xunit.Sdk;

namespace HiddenPoint.Crypto.Tests.Cgo;

/// <summary>
/// Runs every vector of every tests/vectors/cgo*.txt file, on the intrinsic path (with the 512-bit tweak hash where
/// the processor has it, and again with the 128-bit hash that processors without it run) and on the portable path.
/// Every section must be one this test knows and every field of a vector must be used, so nothing in a file is
/// silently skipped.
/// </summary>
public sealed class CgoVectorTests
{
    private const int Aes128 = 16;

    public static TheoryData<string, PrimitiveImplementation, bool> Files()
    {
        var data = new TheoryData<string, PrimitiveImplementation, bool>();
        foreach (var file in VectorFiles.Find("cgo", ".txt"))
        {
            data.Add(Path.GetFileName(file), PrimitiveImplementation.Intrinsic, true);
            data.Add(Path.GetFileName(file), PrimitiveImplementation.Intrinsic, false);
            data.Add(Path.GetFileName(file), PrimitiveImplementation.Portable, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_vector_passes(string fileName, PrimitiveImplementation implementation, bool allowWideHash)
    {

        var vectors = CgoVectorFile.Parse(VectorFiles.PathOf(fileName));
        var run = 0;
        foreach (var vector in vectors)
        {
            try
            {
                var used = Run(vector, implementation, allowWideHash);
                var unused = vector.Fields.Keys.Except(used, StringComparer.Ordinal).ToList();
                Assert.True(unused.Count == 0, $"fields not checked: {string.Join(", ", unused)}");
            }
            catch (Exception e) when (e is XunitException or FormatException or ArgumentException)
            {
                throw new XunitException($"{fileName}: {vector}: {e.Message}");
            }

            run++;
        }

        Assert.Equal(vectors.Count, run);
    }

    private static string[] Run(CgoVector v, PrimitiveImplementation implementation, bool wide) => v.Section switch
    {
        "ET_TEST_VECTORS" => Et(v, implementation),
        "PRF_TEST_VECTORS" => Prf(v, implementation),
        "UIV_TEST_VECTORS" => Uiv(v, implementation, wide),
        "UIV_UPDATE_TEST_VECTORS" => UivUpdate(v, implementation, wide),
        "CGO_RELAY_TEST_VECTORS" => Relay(v, implementation, wide),
        "CGO_RELAY_ORIGINATE_TEST_VECTORS" => RelayOriginate(v, implementation, wide),
        "CGO_CLIENT_ORIGINATE_TEST_VECTORS" => ClientOriginate(v, implementation, wide),
        _ => throw new FormatException($"unknown section {v.Section}"),
    };

    private static string[] Et(CgoVector v, PrimitiveImplementation implementation)
    {
        var tweak = v.Hex("T", 16 + 1 + CgoSizes.MessageLength);
        var et = default(CgoEt);
        et.SetKey(v.Hex("KB||KU", 32), Aes128, implementation, AesDirections.Both);
        var h = Vector128.Create(tweak.AsSpan(0, 16));
        var input = Vector128.Create(v.Hex("M", 16));
        var output = v.Bool("encrypt")
            ? et.Encrypt(h, tweak[16], tweak.AsSpan(17), input)
            : et.Decrypt(h, tweak[16], tweak.AsSpan(17), input);
        AssertHex(v.Hex("OUTPUT", 16), output);

        // The same on the 128-bit PCLMULQDQ hash, which processors without 512-bit VPCLMULQDQ run.
        var narrow = default(CgoEt);
        narrow.SetKey(v.Hex("KB||KU", 32), Aes128, implementation, AesDirections.Both, allowWideHash: false);
        var narrowOutput = v.Bool("encrypt")
            ? narrow.Encrypt(h, tweak[16], tweak.AsSpan(17), input)
            : narrow.Decrypt(h, tweak[16], tweak.AsSpan(17), input);
        Assert.Equal(output, narrowOutput);
        return ["encrypt", "KB||KU", "T", "M", "OUTPUT"];
    }

    private static string[] Prf(CgoVector v, PrimitiveImplementation implementation)
    {
        var prf = default(CgoPrf);
        prf.SetKey(v.Hex("K||B", 32), Aes128, implementation);
        var tweak = Vector128.Create(v.Hex("input", 16));
        var expect = v.Hex("expect");
        var output = new byte[expect.Length];
        switch (v.Int("t"))
        {
            case 0:
                Assert.Equal(CgoSizes.MessageLength, expect.Length);
                prf.XorT0(tweak, output);
                break;
            case 1:
                prf.GenerateT1(tweak, output);
                break;
            default:
                throw new FormatException("t must be 0 or 1");
        }

        Assert.Equal(Convert.ToHexStringLower(expect), Convert.ToHexStringLower(output));
        return ["K||B", "t", "input", "expect"];
    }

    private static string[] Uiv(CgoVector v, PrimitiveImplementation implementation, bool wide)
    {
        var uiv = default(CgoUiv);
        uiv.SetKey(v.Hex("J||S", 64), Aes128, implementation, AesDirections.Both, wide);
        var tweak = v.Hex("tweak H[16]||CMD[1]", 17);
        var body = Concat(v.Hex("X_L", 16), v.Hex("X_R", CgoSizes.MessageLength));
        var expected = Concat(v.Hex("Y_L", 16), v.Hex("Y_R", CgoSizes.MessageLength));
        var h = Vector128.Create(tweak.AsSpan(0, 16));
        if (v.Bool("encrypt"))
        {
            uiv.Encrypt(h, tweak[16], body);
        }
        else
        {
            uiv.Decrypt(h, tweak[16], body);
        }

        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(body));
        return ["encrypt", "J||S", "tweak H[16]||CMD[1]", "X_L", "X_R", "Y_L", "Y_R"];
    }

    private static string[] UivUpdate(CgoVector v, PrimitiveImplementation implementation, bool wide)
    {
        var uiv = default(CgoUiv);
        uiv.SetKey(v.Hex("J||S", 64), Aes128, implementation, AesDirections.Both, wide);
        var nonce = Vector128.Create(v.Hex("N", 16));
        uiv.Update(ref nonce);
        var keys = new byte[64];
        uiv.ExportKey(keys);
        Assert.Equal(Convert.ToHexStringLower(v.Hex("J'||S'", 64)), Convert.ToHexStringLower(keys));
        AssertHex(v.Hex("N'", 16), nonce);

        // The updated cipher behaves as one built from the reported keys.
        var fresh = default(CgoUiv);
        fresh.SetKey(keys, Aes128, implementation, AesDirections.Both, wide);
        var a = new byte[CgoSizes.BodyLength];
        new Random(1).NextBytes(a);
        var b = a.ToArray();
        uiv.Encrypt(nonce, 3, a);
        fresh.Encrypt(nonce, 3, b);
        Assert.Equal(a, b);
        return ["J||S", "N", "J'||S'", "N'"];
    }

    private static string[] Relay(CgoVector v, PrimitiveImplementation implementation, bool wide)
    {
        var state = NewState(v, "state_in", implementation, AesDirections.Encrypt, wide);
        var body = Concat(v.Hex("T", 16), v.Hex("C", CgoSizes.MessageLength));
        var command = v.Hex("cmd", 1)[0];
        if (v.Bool("inbound"))
        {
            state.RelayBackward(command, body);
        }
        else
        {
            state.RelayForward(command, body, new byte[16]);
        }

        CheckOutput(v, state, "state_out", body);
        return ["inbound", .. StateKeys("state_in"), "cmd", "T", "C", .. StateKeys("state_out"), "T_out", "C_out"];
    }

    private static string[] RelayOriginate(CgoVector v, PrimitiveImplementation implementation, bool wide)
    {
        var state = NewState(v, "state_in", implementation, AesDirections.Encrypt, wide);
        var body = Concat(new byte[16], v.Hex("M", CgoSizes.MessageLength));
        var tag = new byte[16];
        state.RelayOriginate(v.Hex("cmd", 1)[0], body, tag);
        CheckOutput(v, state, "state_out", body);
        Assert.Equal(v.Hex("T_out", 16), tag);
        return [.. StateKeys("state_in"), "cmd", "M", .. StateKeys("state_out"), "T_out", "C_out"];
    }

    private static string[] ClientOriginate(CgoVector v, PrimitiveImplementation implementation, bool wide)
    {
        var hops = v.Fields.Keys.Count(k => k.EndsWith("_in.K", StringComparison.Ordinal));
        var target = v.Int("target_hop d");
        Assert.InRange(target, 1, hops);
        var states = new CgoCryptState[hops];
        var used = new List<string> { "target_hop d", "cmd", "M", "T_out", "C_out" };
        for (var i = 0; i < hops; i++)
        {
            states[i] = NewState(v, $"hop{i + 1}_in", implementation, AesDirections.Decrypt, wide);
            used.AddRange(StateKeys($"hop{i + 1}_in"));
            used.AddRange(StateKeys($"hop{i + 1}_out"));
        }

        var command = v.Hex("cmd", 1)[0];
        var body = Concat(new byte[16], v.Hex("M", CgoSizes.MessageLength));
        var tag = new byte[16];
        states[target - 1].ClientOriginate(command, body, tag);
        for (var i = target - 2; i >= 0; i--)
        {
            states[i].ClientForward(command, body);
        }

        for (var i = 0; i < hops; i++)
        {
            CheckState(v, states[i], $"hop{i + 1}_out");
        }

        Assert.Equal(Convert.ToHexStringLower(Concat(v.Hex("T_out", 16), v.Hex("C_out", CgoSizes.MessageLength))), Convert.ToHexStringLower(body));

        // The same cell through the public circuit type, from the same starting state.
        using var circuit = new CgoClientCircuit();
        for (var i = 0; i < hops; i++)
        {
            var hop = new CgoClientHop(new byte[CgoSizes.KeyMaterialLength(CgoAesKeySize.Aes128)], implementation: implementation);
            hop.ForwardStateForTesting = NewState(v, $"hop{i + 1}_in", implementation, AesDirections.Decrypt, wide);
            circuit.AddHop(hop);
        }

        var again = Concat(new byte[16], v.Hex("M", CgoSizes.MessageLength));
        var tag2 = new byte[16];
        circuit.Originate(target - 1, command, again, tag2);
        Assert.Equal(body, again);
        Assert.Equal(tag, tag2);
        return [.. used];
    }

    private static string[] StateKeys(string prefix) => [prefix + ".K", prefix + ".N", prefix + ".T'"];

    private static CgoCryptState NewState(
        CgoVector v, string prefix, PrimitiveImplementation implementation, AesDirections directions, bool wide)
    {
        var state = default(CgoCryptState);
        state.Initialize(
            Concat(v.Hex(prefix + ".K", 64), v.Hex(prefix + ".N", 16)), CgoAesKeySize.Aes128, implementation, directions, wide);
        state.SetTagForTesting(v.Hex(prefix + ".T'", 16));
        return state;
    }

    private static void CheckOutput(CgoVector v, CgoCryptState state, string prefix, byte[] body)
    {
        CheckState(v, state, prefix);
        Assert.Equal(
            Convert.ToHexStringLower(Concat(v.Hex("T_out", 16), v.Hex("C_out", CgoSizes.MessageLength))),
            Convert.ToHexStringLower(body));
    }

    private static void CheckState(CgoVector v, CgoCryptState state, string prefix)
    {
        var key = new byte[64];
        var nonce = new byte[16];
        var tag = new byte[16];
        state.ExportStateForTesting(key, nonce, tag);
        Assert.Equal(Convert.ToHexStringLower(v.Hex(prefix + ".K", 64)), Convert.ToHexStringLower(key));
        Assert.Equal(Convert.ToHexStringLower(v.Hex(prefix + ".N", 16)), Convert.ToHexStringLower(nonce));
        Assert.Equal(Convert.ToHexStringLower(v.Hex(prefix + ".T'", 16)), Convert.ToHexStringLower(tag));
    }

    private static void AssertHex(byte[] expected, Vector128<byte> actual)
    {
        var bytes = new byte[16];
        actual.CopyTo(bytes);
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(bytes));
    }

    private static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];
}
