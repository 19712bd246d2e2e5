using System.Globalization;

namespace HiddenPoint.Client.Diagnostics;

/// <summary>The range checks of the client's options validators: each failure names the option and its range.</summary>
internal static class OptionRange
{
    public static void Check(List<string> failures, string option, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{option} must be between {min} and {max} (is {value})."));
        }
    }

    public static void Check(List<string> failures, string option, double value, double min, double max)
    {
        if (!(value >= min && value <= max))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{option} must be between {min} and {max} (is {value})."));
        }
    }

    public static void Check(List<string> failures, string option, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{option} must be between {min} and {max} (is {value})."));
        }
    }
}
