using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace HiddenPoint.Client.Api.Server;

/// <summary>
/// What .NET does not expose for the API's Unix domain socket, on Linux: the process's effective user id and file
/// creation mask (libc), and the credentials of the process at the other end of a connected socket (SO_PEERCRED,
/// read through <see cref="Socket.GetRawSocketOption"/>).
/// </summary>
internal static partial class UnixSockets
{
    private const string Libc = "libc";
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int UcredLength = 12; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }

    /// <summary>The process's effective user id.</summary>
    public static uint EffectiveUserId => geteuid();

    /// <summary>
    /// Binds <paramref name="socket"/> to <paramref name="path"/> with the file creation mask 0177, so the socket file
    /// is born owner-only (0600) rather than made so after a moment in which others could connect.
    /// </summary>
    public static void BindOwnerOnly(Socket socket, string path)
    {
        // The mask is the process's: for the instant of the bind, files any other thread creates are owner-only too,
        // which is never less safe.
        var previous = umask(0b001_111_111);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
        }
        finally
        {
            _ = umask(previous);
        }
    }

    /// <summary>The process id and user id of the process at the other end of <paramref name="socket"/>; false when the kernel did not say.</summary>
    public static bool TryGetPeer(Socket socket, out int processId, out uint userId)
    {
        Span<byte> credentials = stackalloc byte[UcredLength];
        processId = 0;
        userId = uint.MaxValue;
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) != UcredLength)
            {
                return false;
            }
        }
        catch (SocketException)
        {
            return false;
        }

        // The kernel writes the struct in the machine's own byte order.
        processId = MemoryMarshal.Read<int>(credentials);
        userId = MemoryMarshal.Read<uint>(credentials[4..]);
        return true;
    }

    [LibraryImport(Libc)]
    private static partial uint geteuid();

    [LibraryImport(Libc)]
    private static partial uint umask(uint mask);
}
