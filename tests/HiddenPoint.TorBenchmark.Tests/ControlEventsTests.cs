namespace HiddenPoint.TorBenchmark.Tests;

public class ControlEventsTests
{
    [Theory]
    [InlineData("NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY=\"Done\"", 100)]
    [InlineData("NOTICE BOOTSTRAP PROGRESS=30 TAG=loading_status SUMMARY=\"Loading networkstatus consensus\"", 30)]
    [InlineData("WARN BOOTSTRAP PROGRESS=0 TAG=starting SUMMARY=\"Starting\" WARNING=\"x\"", 0)]
    [InlineData("NOTICE BOOTSTRAP TAG=done", -1)]
    [InlineData("NOTICE BOOTSTRAP PROGRESS=1000", -1)]
    [InlineData("NOTICE BOOTSTRAP PROGRESS=-5", -1)]
    public void Bootstrap_progress_is_read(string status, int expected)
    {
        Assert.Equal(expected, ControlEvents.BootstrapProgress(status));
    }

    [Fact]
    public void Circuit_events_give_id_and_status()
    {
        Assert.True(ControlEvents.TryReadCircuit("CIRC 12 BUILT $AAAA~auth0,$BBBB~relay1 BUILD_FLAGS=NEED_CAPACITY PURPOSE=GENERAL", out var id, out var status));
        Assert.Equal(("12", "BUILT"), (id, status));
        Assert.True(ControlEvents.TryReadCircuit("CIRC 3 LAUNCHED", out id, out status));
        Assert.Equal(("3", "LAUNCHED"), (id, status));
        Assert.False(ControlEvents.TryReadCircuit("STREAM 4 NEW 0 x.onion:7", out _, out _));
        Assert.False(ControlEvents.TryReadCircuit("CIRC 5", out _, out _));
    }

    [Fact]
    public void Only_a_successful_descriptor_upload_counts_as_stored()
    {
        Assert.True(ControlEvents.IsDescriptorUploaded("HS_DESC UPLOADED abcdef UNKNOWN $AAAA~relay1"));
        Assert.False(ControlEvents.IsDescriptorUploaded("HS_DESC UPLOAD abcdef UNKNOWN $AAAA~relay1 descid HSDIR_INDEX=1"));
        Assert.False(ControlEvents.IsDescriptorUploaded("HS_DESC FAILED abcdef UNKNOWN $AAAA~relay1 REASON=UPLOAD_REJECTED"));
    }

    [Fact]
    public void Newnym_is_seen_applied_only_from_its_own_signal_event()
    {
        Assert.True(ControlEvents.IsNewnymApplied("SIGNAL NEWNYM"));
        Assert.False(ControlEvents.IsNewnymApplied("SIGNAL RELOAD"));
    }

    [Fact]
    public void Extended_reply_gives_the_new_circuit_id()
    {
        Assert.Equal("17", ControlEvents.ExtendedCircuitId("EXTENDED 17"));
        Assert.Null(ControlEvents.ExtendedCircuitId("OK"));
    }

    [Fact]
    public void Usable_guards_are_those_up_in_their_order()
    {
        var a = new string('A', 40);
        var b = new string('B', 40);
        var c = new string('C', 40);
        var value = $"${a}~auth0 never-connected\n${b}~relay1 up\n${c}=relay2 up\n$XYZ~bad up";

        Assert.Equal([b, c], ControlEvents.UsableGuards(value));
    }

    [Theory]
    [InlineData("9BB9F17976A64D29E5EC0D295665637D42338FDA", true)]
    [InlineData("9bb9f17976a64d29e5ec0d295665637d42338fda", false)]
    [InlineData("9BB9F17976A64D29E5EC0D295665637D42338FD", false)]
    [InlineData("9BB9F17976A64D29E5EC0D295665637D42338FDG", false)]
    public void Fingerprints_are_forty_upper_case_hex_digits(string text, bool expected)
    {
        Assert.Equal(expected, ControlEvents.IsFingerprint(text));
    }
}
