using NSec.Cryptography;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// The Argon2id parameters (RFC 9106, libsodium's crypto_pwhash through NSec) that turn the passphrase into the key
/// wrapping the database key. Stored in the database's header row; read from disk they are bounded, so a hostile
/// file cannot make the program allocate without limit.
/// </summary>
/// <param name="MemoryKib">Memory in KiB.</param>
/// <param name="Passes">Passes over it.</param>
internal readonly record struct StoreKdfParameters(int MemoryKib, int Passes)
{
    public const int DefaultMemoryKib = 64 * 1024;
    public const int DefaultPasses = 3;
    public const int MinMemoryKib = 8;
    public const int MaxMemoryKib = 1024 * 1024;
    public const int MinPasses = 1;
    public const int MaxPasses = 20;

    /// <summary>The salt's length (libsodium's crypto_pwhash_SALTBYTES).</summary>
    public const int SaltLength = 16;

    /// <summary>libsodium's Argon2id runs one lane; the parameter is stored for the record.</summary>
    public const int Parallelism = 1;

    public bool IsWithinBounds =>
        MemoryKib is >= MinMemoryKib and <= MaxMemoryKib && Passes is >= MinPasses and <= MaxPasses;

    /// <summary>Derives <paramref name="output"/> from the passphrase and salt.</summary>
    public void Derive(ReadOnlySpan<byte> passphrase, ReadOnlySpan<byte> salt, Span<byte> output)
    {
        var parameters = new Argon2Parameters
        {
            DegreeOfParallelism = Parallelism,
            MemorySize = MemoryKib,
            NumberOfPasses = Passes,
        };
        PasswordBasedKeyDerivationAlgorithm.Argon2id(parameters).DeriveBytes(passphrase, salt, output);
    }
}
