namespace HiddenPoint.Client.Guards;

/// <summary>How a guard's share of completed circuits compares with the path-bias thresholds (worst last).</summary>
public enum PathBiasLevel
{
    /// <summary>Too few circuits to judge, or at least the notice rate completed.</summary>
    None = 0,

    /// <summary>Below <see cref="Circuits.CircuitBuilderOptions.PathBiasNoticeRate"/>.</summary>
    Notice,

    /// <summary>Below <see cref="Circuits.CircuitBuilderOptions.PathBiasWarnRate"/>.</summary>
    Warning,

    /// <summary>Below <see cref="Circuits.CircuitBuilderOptions.PathBiasExtremeRate"/>.</summary>
    Extreme,
}
