using System.Runtime.InteropServices;

namespace HiddenPoint.Client.Cli.Terminal;

/// <summary>
/// Puts the terminal on standard input into the mode a passphrase prompt needs, as getpass(3) does, and back: no echo,
/// no line editing by the terminal (bytes arrive one by one), no signals (Ctrl-C arrives as a byte, so the prompt can
/// restore the terminal before it gives up). Input typed before the prompt is discarded (it was echoed). Linux only:
/// the layout of <c>struct termios</c> differs between systems, and elsewhere the prompt falls back to
/// <see cref="Console.ReadKey(bool)"/>.
/// </summary>
internal sealed partial class TerminalMode : IDisposable
{
    // Linux (every architecture .NET runs on): four 32-bit flag words, c_line, then c_cc[32]; 60 bytes in all.
    private const int TermiosLength = 256;
    private const int LocalFlagsOffset = 12;
    private const int ControlCharactersOffset = 17;
    private const int VTime = 5;
    private const int VMin = 6;
    private const uint Isig = 0x1;
    private const uint Icanon = 0x2;
    private const uint Echo = 0x8;
    private const uint EchoNewline = 0x40;
    private const int TcsaNow = 0;
    private const int TcsaFlush = 2;
    private const int StandardInput = 0;
    private const int Interrupted = 4; // EINTR

    private readonly byte[] _saved;
    private bool _restored;

    private TerminalMode(byte[] saved) => _saved = saved;

    /// <summary>Switches the terminal to the prompt's mode; null when standard input is not a terminal this can set.</summary>
    public static TerminalMode? ForPassphrase()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var saved = new byte[TermiosLength];
        if (GetAttributes(StandardInput, saved) != 0)
        {
            return null;
        }

        var raw = (byte[])saved.Clone();
        var flags = MemoryMarshal.Read<uint>(raw.AsSpan(LocalFlagsOffset));
        flags &= ~(Echo | EchoNewline | Icanon | Isig);
        MemoryMarshal.Write(raw.AsSpan(LocalFlagsOffset), in flags);
        raw[ControlCharactersOffset + VMin] = 1;
        raw[ControlCharactersOffset + VTime] = 0;
        return SetAttributes(StandardInput, TcsaFlush, raw) == 0 ? new TerminalMode(saved) : null;
    }

    /// <summary>
    /// Reads one byte from the terminal, straight from file descriptor 0 (.NET's console stream would edit and echo
    /// the line itself); -1 when the terminal has closed.
    /// </summary>
    public static int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        while (true)
        {
            var read = ReadNative(StandardInput, one, 1);
            if (read == 1)
            {
                return one[0];
            }

            if (read == 0 || Marshal.GetLastPInvokeError() != Interrupted)
            {
                return -1;
            }
        }
    }

    /// <summary>Puts the terminal back as it was.</summary>
    public void Dispose()
    {
        if (!_restored)
        {
            _restored = true;
            _ = SetAttributes(StandardInput, TcsaNow, _saved);
        }
    }

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadNative(int descriptor, Span<byte> buffer, nint count);

    [LibraryImport("libc", EntryPoint = "tcgetattr")]
    private static partial int GetAttributes(int descriptor, Span<byte> termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr")]
    private static partial int SetAttributes(int descriptor, int when, ReadOnlySpan<byte> termios);
}
