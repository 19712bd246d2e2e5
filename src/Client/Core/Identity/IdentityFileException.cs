using HiddenPoint.Crypto.Keys;

namespace HiddenPoint.Client.Identity;

/// <summary>The identity file could not be used: <see cref="Problem"/> says why; the file is left as it is.</summary>
public sealed class IdentityFileException : Exception
{
    /// <summary>A refused identity file.</summary>
    public IdentityFileException(string path, KeyFileProblem problem, Exception? innerException = null)
        : base($"The hidden-point identity file '{path}' cannot be used ({problem}); it was left untouched. " + Advice(problem), innerException)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>An unspecified identity-file failure.</summary>
    public IdentityFileException()
    {
        Path = string.Empty;
    }

    /// <summary>An identity-file failure with a message.</summary>
    public IdentityFileException(string message)
        : base(message)
    {
        Path = string.Empty;
    }

    /// <summary>An identity-file failure with a message and its cause.</summary>
    public IdentityFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Why it was refused.</summary>
    public KeyFileProblem Problem { get; }

    private static string Advice(KeyFileProblem problem) => problem switch
    {
        KeyFileProblem.PermissionsTooOpen => "Make it readable by its owner only (chmod 600).",
        KeyFileProblem.FolderTooOpen => "Make its folder writable by its owner only (chmod 700).",
        KeyFileProblem.Invalid => "It is not a hidden-point identity key file; restore it from a backup.",
        KeyFileProblem.WrongOwner => "Run as the user who owns it.",
        KeyFileProblem.NotFound => "Create an identity first.",
        KeyFileProblem.AlreadyExists => "An identity is there already; it is never replaced (a new key is a new hidden-id).",
        _ => "Check the path and its permissions.",
    };
}
