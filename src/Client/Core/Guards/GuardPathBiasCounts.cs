namespace HiddenPoint.Client.Guards;

/// <summary>A guard's path-bias figures: circuits that got past it, how many of those were completed, and the level.</summary>
/// <param name="Circuits">Circuits whose first hop it completed and that then ended, scaled (halved at the scale count).</param>
/// <param name="Completed">Of those, the ones built to their last hop, scaled alike.</param>
/// <param name="Level">The level of <c>Completed / Circuits</c> once <c>Circuits</c> reaches the minimum.</param>
public readonly record struct GuardPathBiasCounts(double Circuits, double Completed, PathBiasLevel Level);
