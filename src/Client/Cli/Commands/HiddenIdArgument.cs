using System.CommandLine;
using System.CommandLine.Parsing;
using HiddenPoint.Crypto.HiddenPoints;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>A hidden-id argument (56 base32 characters and <c>.hpc</c>), refused at parse time with what is wrong (exit 64).</summary>
internal static class HiddenIdArgument
{
    public static Argument<HiddenId> Create(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = Parse,
    };

    private static HiddenId Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (HiddenId.TryParse(text, HiddenIdLabels.Hpc, out var id, out var error))
        {
            return id!;
        }

        result.AddError($"'{text}' is not a hidden-id ({Explain(error)}). A hidden-id is 56 letters a–z and digits 2–7 followed by .hpc; `hpc-client id` prints yours.");
        return null!;
    }

    private static string Explain(HiddenIdError error) => error switch
    {
        HiddenIdError.BadLength => "wrong length",
        HiddenIdError.WrongSuffix => "it must end in .hpc",
        HiddenIdError.UpperCase => "a hidden-id is written in lower case",
        HiddenIdError.InvalidCharacter => "only a–z and 2–7 may appear before .hpc",
        HiddenIdError.WrongVersion => "an unknown version",
        HiddenIdError.BadChecksum => "its checksum is wrong: a character was mistyped",
        _ => "not a valid key",
    };
}
