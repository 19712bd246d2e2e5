namespace HiddenPoint.TorBenchmark.Tests;

public class ControlReplyTests
{
    [Theory]
    [InlineData("250-version=0.4.9.11", 250, ControlLineKind.Mid, "version=0.4.9.11")]
    [InlineData("250+entry-guards=", 250, ControlLineKind.Data, "entry-guards=")]
    [InlineData("250 OK", 250, ControlLineKind.End, "OK")]
    [InlineData("650 CIRC 3 BUILT", 650, ControlLineKind.End, "CIRC 3 BUILT")]
    [InlineData("552 Unrecognized key ", 552, ControlLineKind.End, "Unrecognized key ")]
    public void Reply_lines_are_read(string line, int status, object kind, string text)
    {
        Assert.True(ControlLine.TryParse(line, out var parsed, out var error));
        Assert.Equal(ControlLineError.None, error);
        Assert.Equal(new ControlLine(status, (ControlLineKind)kind, text), parsed);
    }

    [Theory]
    [InlineData("250", ControlLineError.TooShort)]
    [InlineData("", ControlLineError.TooShort)]
    [InlineData("25x OK", ControlLineError.StatusNotDigits)]
    [InlineData("250*OK", ControlLineError.UnknownSeparator)]
    public void Malformed_lines_are_refused_with_their_reason(string line, object expected)
    {
        Assert.False(ControlLine.TryParse(line, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void A_reply_ends_at_its_line_with_a_space()
    {
        var assembler = new ControlReplyAssembler();

        Assert.Null(assembler.Add("250-status/bootstrap-phase=NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY=\"Done\""));
        var reply = assembler.Add("250 OK");

        Assert.NotNull(reply);
        Assert.True(reply.IsOk);
        Assert.False(reply.IsEvent);
        Assert.Equal("NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY=\"Done\"", reply.Value("status/bootstrap-phase"));
        Assert.Null(reply.Value("version"));
    }

    [Fact]
    public void A_data_block_becomes_one_value_with_its_lines_and_dots_unescaped()
    {
        var assembler = new ControlReplyAssembler();

        Assert.Null(assembler.Add("250+entry-guards="));
        Assert.Null(assembler.Add("$AAAA~auth0 up"));
        Assert.Null(assembler.Add("..dotted="));
        Assert.Null(assembler.Add("$BBBB~relay1 never-connected"));
        Assert.Null(assembler.Add("."));
        var reply = assembler.Add("250 OK");

        Assert.NotNull(reply);
        Assert.Equal("$AAAA~auth0 up\n.dotted=\n$BBBB~relay1 never-connected", reply.Value("entry-guards"));
    }

    [Fact]
    public void Events_and_errors_are_replies_of_their_own()
    {
        var assembler = new ControlReplyAssembler();

        var circuit = assembler.Add("650 CIRC 7 BUILT $AAAA~auth0 PURPOSE=GENERAL");
        var refused = assembler.Add("552 Unknown circuit \"99\"");

        Assert.NotNull(circuit);
        Assert.True(circuit.IsEvent);
        Assert.NotNull(refused);
        Assert.False(refused.IsOk);
        Assert.Equal(552, refused.Status);
    }

    [Fact]
    public void A_line_that_is_not_a_reply_line_fails_the_connection()
    {
        Assert.Throws<TorBenchmarkException>(() => new ControlReplyAssembler().Add("garbage"));
    }
}
