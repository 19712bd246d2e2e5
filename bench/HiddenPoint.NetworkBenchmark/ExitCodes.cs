namespace HiddenPoint.NetworkBenchmark;

/// <summary>The program's exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 64;
    public const int Interrupted = 130;
}
