using System.Security.Cryptography;
using System.Text;

namespace HiddenPoint.Client.Messaging.Storage;

/// <summary>
/// A passphrase's UTF-8 bytes in a pinned array (so the garbage collector leaves no moved copy behind), wiped when
/// disposed. The store reads it once, to derive the key that unwraps the database key.
/// </summary>
public sealed class Passphrase : IDisposable
{
    private readonly byte[] _bytes;
    private bool _disposed;

    private Passphrase(byte[] bytes) => _bytes = bytes;

    /// <summary>The bytes; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _bytes;
        }
    }

    /// <summary>A copy of <paramref name="utf8"/> (the caller wipes its own).</summary>
    public static Passphrase FromUtf8(ReadOnlySpan<byte> utf8)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(utf8.Length, pinned: true);
        utf8.CopyTo(bytes);
        return new Passphrase(bytes);
    }

    /// <summary>The UTF-8 encoding of <paramref name="text"/> (a string cannot be wiped: prefer <see cref="FromUtf8"/>).</summary>
    public static Passphrase FromText(ReadOnlySpan<char> text)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(Encoding.UTF8.GetByteCount(text), pinned: true);
        Encoding.UTF8.GetBytes(text, bytes);
        return new Passphrase(bytes);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_bytes);
            _disposed = true;
        }
    }
}
