namespace HiddenPoint.Testnet;

/// <summary>
/// <c>STATE/run.lock</c>, held (flock, through FileShare.None) by a <c>run</c> or <c>clean</c> while it works, so that
/// two of them never build one testnet at once. Running nodes are found by their recorded ids, not by this lock.
/// </summary>
internal static class StateLock
{
    public const string FileName = "run.lock";

    /// <summary>The held lock, or null when another run or clean holds it.</summary>
    public static FileStream? TryTake(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        try
        {
            return new FileStream(Path.Combine(stateDirectory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
