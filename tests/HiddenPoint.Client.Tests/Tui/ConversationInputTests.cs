using HiddenPoint.Client.Cli.Tui;

namespace HiddenPoint.Client.Tests.Tui;

public sealed class ConversationInputTests
{
    [Theory]
    [InlineData("hello")]
    [InlineData("  spaced  ")]
    [InlineData("u s x ?")]
    [InlineData("a/b")]
    [InlineData(" /block")]
    public void A_line_without_a_leading_slash_is_sent_as_typed(string line)
    {
        var input = ConversationInput.Parse(line);
        Assert.Equal(InputKind.Message, input.Kind);
        Assert.Equal(line, input.Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_line_is_nothing(string line) => Assert.Equal(InputKind.Nothing, ConversationInput.Parse(line).Kind);

    [Theory]
    [InlineData("/back", SlashCommand.Back)]
    [InlineData("/BACK", SlashCommand.Back)]
    [InlineData("/accept", SlashCommand.Accept)]
    [InlineData("/reject", SlashCommand.Reject)]
    [InlineData("/block", SlashCommand.Block)]
    [InlineData("/help", SlashCommand.Help)]
    [InlineData("/?", SlashCommand.Help)]
    [InlineData("/block  ", SlashCommand.Block)]
    public void A_slash_word_is_its_command(string line, SlashCommand command)
    {
        var input = ConversationInput.Parse(line);
        Assert.Equal(InputKind.Command, input.Kind);
        Assert.Equal(command, input.Command);
        Assert.Equal(string.Empty, input.Argument);
    }

    [Fact]
    public void What_follows_the_command_is_its_argument_trimmed()
    {
        var input = ConversationInput.Parse("/accept   Alice Liddell  ");
        Assert.Equal(SlashCommand.Accept, input.Command);
        Assert.Equal("Alice Liddell", input.Argument);
    }

    [Fact]
    public void Two_slashes_send_the_rest_as_text_starting_with_one()
    {
        var input = ConversationInput.Parse("//shrug");
        Assert.Equal(InputKind.Message, input.Kind);
        Assert.Equal("/shrug", input.Text);
    }

    [Fact]
    public void An_unknown_slash_word_is_not_sent_and_is_named_for_the_error()
    {
        var input = ConversationInput.Parse("/frobnicate now");
        Assert.Equal(InputKind.UnknownCommand, input.Kind);
        Assert.Equal("/frobnicate", input.Text);
        Assert.Null(input.Command);
    }
}
