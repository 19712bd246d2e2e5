using System.Reflection;
using System.Text.RegularExpressions;
using HiddenPoint.Fuzz.Harnesses;
using HiddenPoint.Protocol.Documents;

namespace HiddenPoint.Fuzz.Tests;

/// <summary>
/// F-INV 5: Tor's fuzz build may skip signature checks (<c>disable_signature_checking</c>); HiddenPoint's harnesses never
/// need to, since every parser returns an unverified value before any signature is checked. These tests prove that no
/// release assembly carries a switch that could turn checking off, and that a document whose signed bytes changed
/// is refused.
/// </summary>
public partial class SignatureCheckSwitchTests
{
    private static readonly string[] s_releaseAssemblies =
    [
        "HiddenPoint.Crypto", "HiddenPoint.Protocol", "HiddenPoint.Network", "HiddenPoint.Client", "HiddenPoint.Client.Messaging",
        "HiddenPoint.Client.Api", "hpc-relay", "hpc-directory",
    ];

    [GeneratedRegex("(disable|skip|bypass|ignore|without|dont|insecure|unsafe|trust).*(signature|verif)|(signature|verif).*(disable|skip|bypass|off|optional)", RegexOptions.IgnoreCase)]
    private static partial Regex SwitchName();

    [Fact]
    public void No_release_assembly_has_a_member_that_could_turn_signature_checks_off()
    {
        var found = new List<string>();
        foreach (var name in s_releaseAssemblies)
        {
            var assembly = Assembly.Load(name);
            foreach (var type in assembly.GetTypes())
            {
                if (SwitchName().IsMatch(type.Name))
                {
                    found.Add($"{name}: type {type.FullName}");
                }

                const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
                foreach (var member in type.GetMembers(all))
                {
                    if (SwitchName().IsMatch(member.Name))
                    {
                        found.Add($"{name}: {type.FullName}.{member.Name}");
                    }
                }
            }
        }

        Assert.Empty(found);
    }

    [Fact]
    public void The_release_assemblies_are_built_without_a_fuzzing_constant()
    {
        // A fuzz-only code path would sit behind a compilation symbol; the release assemblies define none, so no
        // type of theirs is named after fuzzing.
        foreach (var name in s_releaseAssemblies)
        {
            Assert.DoesNotContain(Assembly.Load(name).GetTypes(), t => t.FullName!.Contains("Fuzz", StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public void A_relay_descriptor_or_consensus_whose_signed_bytes_changed_is_refused()
    {
        var descriptor = DocumentFixture.Descriptor(0, withFamily: false);
        Assert.True(RelayDescriptorParser.TryParse(descriptor, out var intact, out _));
        Assert.True(intact.VerifySignature().IsValid);
        var changed = Tamper(descriptor, "Relay0"u8, "Relay9"u8);
        Assert.True(RelayDescriptorParser.TryParse(changed, out var tampered, out _));
        Assert.False(tampered.VerifySignature().IsValid);

        var consensus = DocumentFixture.Consensus(2);
        Assert.True(NetworkStatusParser.TryParseConsensus(consensus, out var good, out _));
        Assert.True(good.VerifySignatures(DocumentFixture.Pinned).IsValid);
        var altered = Tamper(consensus, "r1 "u8, "r9 "u8);
        Assert.True(NetworkStatusParser.TryParseConsensus(altered, out var bad, out _));
        Assert.False(bad.VerifySignatures(DocumentFixture.Pinned).IsValid);
    }

    private static byte[] Tamper(byte[] document, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        var copy = (byte[])document.Clone();
        var at = copy.AsSpan().IndexOf(from);
        Assert.True(at >= 0);
        to.CopyTo(copy.AsSpan(at));
        return copy;
    }
}
