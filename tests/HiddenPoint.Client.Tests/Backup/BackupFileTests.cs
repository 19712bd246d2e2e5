using System.Buffers.Binary;
using System.Text;
using HiddenPoint.Client.Messaging.Backup;

namespace HiddenPoint.Client.Tests.Backup;

public sealed class BackupFileTests
{
    private static readonly byte[] s_passphrase = Encoding.UTF8.GetBytes("correct horse battery staple");
    private static readonly byte[] s_identity = Enumerable.Range(0, 120).Select(i => (byte)i).ToArray();
    private static readonly byte[] s_database = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public void A_backup_opens_with_its_passphrase_to_the_same_identity_and_database()
    {
        var backup = BackupFile.Seal(s_identity, s_database, s_passphrase, 8, 1);
        var (identity, database) = BackupFile.Open(backup, s_passphrase);
        Assert.Equal(s_identity, identity);
        Assert.Equal(s_database, database);
    }

    [Fact]
    public void A_wrong_passphrase_and_any_changed_byte_are_refused_as_wrong_passphrase_or_damaged()
    {
        var backup = BackupFile.Seal(s_identity, s_database, s_passphrase, 8, 1);
        Assert.Equal(BackupError.WrongPassphraseOrDamaged, Assert.Throws<BackupException>(() => BackupFile.Open(backup, "not it"u8)).Error);
        foreach (var position in new[] { BackupFile.HeaderLength - 1, BackupFile.HeaderLength + 3, backup.Length / 2, backup.Length - 1 })
        {
            var changed = backup.ToArray();
            changed[position] ^= 0x01;
            Assert.Equal(BackupError.WrongPassphraseOrDamaged, Assert.Throws<BackupException>(() => BackupFile.Open(changed, s_passphrase)).Error);
        }
    }

    [Fact]
    public void Every_cut_is_refused_with_a_typed_error_and_never_throws_anything_else()
    {
        var backup = BackupFile.Seal(s_identity, [1, 2, 3], s_passphrase, 8, 1);
        for (var length = 0; length < backup.Length; length++)
        {
            var error = Assert.Throws<BackupException>(() => BackupFile.Open(backup.AsSpan(0, length), s_passphrase)).Error;
            Assert.True(error is BackupError.BadLength or BackupError.NotABackup or BackupError.WrongPassphraseOrDamaged, $"{length}: {error}");
        }
    }

    [Fact]
    public void Another_file_and_out_of_bound_parameters_are_refused_before_any_key_is_derived()
    {
        var backup = BackupFile.Seal(s_identity, s_database, s_passphrase, 8, 1);
        var other = backup.ToArray();
        other[0] = (byte)'X';
        Assert.Equal(BackupError.NotABackup, Assert.Throws<BackupException>(() => BackupFile.Open(other, s_passphrase)).Error);

        // A hostile header asking for 2 TiB of Argon2 memory is refused, not obeyed.
        var hostile = backup.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(hostile.AsSpan(10), int.MaxValue);
        Assert.Equal(BackupError.BadParameters, Assert.Throws<BackupException>(() => BackupFile.Open(hostile, s_passphrase)).Error);
    }
}
