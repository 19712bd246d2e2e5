using System.Buffers.Binary;
using HiddenPoint.Client.Messaging.Backup;

namespace HiddenPoint.Fuzz.Harnesses;

/// <summary>
/// The backup file's header (src/Client/Messaging/Backup): <see cref="BackupFile.Open"/> with a fixed passphrase; the
/// declared refusal is <see cref="BackupException"/>. A header that asks for an in-bounds but costly Argon2id
/// (more than <see cref="MaxFuzzedMemoryKib"/> KiB or <see cref="MaxFuzzedPasses"/> passes) is skipped, not opened:
/// up to 1 GiB and 20 passes is the file format's documented range, and a fuzzer would otherwise spend its time there.
/// </summary>
internal sealed class BackupHeaderHarness : Harness
{
    private const int MaxFuzzedMemoryKib = 64;
    private const int MaxFuzzedPasses = 2;
    private const int MagicLength = 10;
    private static readonly byte[] s_passphrase = "fuzz passphrase"u8.ToArray();

    public override string Name => "backup-header";

    public override string Description => "backup file: header, key-derivation parameters, then the sealed contents";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length >= MagicLength + 8)
        {
            var memory = BinaryPrimitives.ReadInt32BigEndian(input[MagicLength..]);
            var passes = BinaryPrimitives.ReadInt32BigEndian(input[(MagicLength + 4)..]);
            var inBounds = memory is >= 8 and <= 1024 * 1024 && passes is >= 1 and <= 20;
            if (inBounds && (memory > MaxFuzzedMemoryKib || passes > MaxFuzzedPasses))
            {
                return;
            }
        }

        try
        {
            var (identity, _) = BackupFile.Open(input, s_passphrase);
            Array.Clear(identity);
        }
        catch (BackupException)
        {
            // The declared refusal.
        }
    }

    public override IEnumerable<byte[]> Seeds()
    {
        yield return BackupFile.Seal(Samples.Bytes(100, 1), Samples.Bytes(300, 2), s_passphrase, 8, 1);
        yield return BackupFile.Seal([], [], s_passphrase, 16, 2);
        yield return "HPCBACKUP1"u8.ToArray();
    }
}
