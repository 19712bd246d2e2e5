namespace HiddenPoint.Client.HiddenPoints;

/// <summary>The range check every hidden-point options validator uses; the message names the option and its range.</summary>
internal static class OptionRanges
{
    public static void Check<T>(List<string> failures, string options, string name, T value, T min, T max)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            failures.Add($"{options}.{name} is {value}; it must be between {min} and {max}.");
        }
    }
}
