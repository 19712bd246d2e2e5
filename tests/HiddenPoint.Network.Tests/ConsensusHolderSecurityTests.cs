using System.Text;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Network.Tests;

/// <summary>TEST-MATRIX rows DOC-01, DOC-02, TM-01, DK-01 and DK-04, against the holder relays and clients share.</summary>
public sealed partial class ConsensusHolderTests
{
    public static TheoryData<string> ForgedConsensuses => ["no signatures", "one of three", "one authority twice", "unknown key", "one body byte changed", "signature over another body"];

    [Theory]
    [MemberData(nameof(ForgedConsensuses))]
    public void DOC01_ForgedOrUnderSignedConsensus_IsRefusedWithItsOwnReason_AndThePreviousIsKept(string forgery)
    {
        _clock.SetUtcNow(s_start + TimeSpan.FromHours(1.5)); // periods 0 and 1 are both inside their windows
        var holder = new ConsensusHolder(Pinned, _clock);
        var previous = Build(0, _authorities);
        Assert.True(holder.Offer(previous).Accepted);

        var body = Body(1);
        byte[] Signed(params AuthorityIdentityKey[] signers) =>
            NetworkStatusBuilder.Assemble(body, signers.Select(s => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, s)));
        var (document, refusal, detail) = forgery switch
        {
            "no signatures" => (body, ConsensusRefusal.Malformed, "MissingKeyword"),
            "one of three" => (Signed(_authorities[1]), ConsensusRefusal.TooFewSignatures, "1/2"),
            "one authority twice" => (Twice(Signed(_authorities[0]), body.Length), ConsensusRefusal.Malformed, "DuplicateEntry"),
            "unknown key" => (Signed(_authorities[0], _outsider), ConsensusRefusal.TooFewSignatures, "1/2"),
            "one body byte changed" => (ChangeOneBodyByte(Signed(_authorities)), ConsensusRefusal.BadSignature, "BadSignature"),
            _ => (NetworkStatusBuilder.Assemble(body, [
                NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, Body(1.25), _authorities[0]),
                NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, _authorities[1])]), ConsensusRefusal.BadSignature, "BadSignature"),
        };

        var result = holder.Offer(document);

        Assert.False(result.Accepted);
        Assert.Equal(refusal, result.Refusal);
        Assert.Contains(detail, result.ToString(), StringComparison.Ordinal);
        Assert.Equal(previous, holder.LatestDocument.ToArray());
        Assert.True(holder.TryGetUsable(out var usable, out _));
        Assert.Equal(s_start, usable.ValidAfter);

        // The same period correctly signed is then taken: only the forgery was refused.
        Assert.True(holder.Offer(Signed(_authorities)).Accepted);
    }

    [Fact]
    public void DOC02_ValidUntilMoreThan24HoursAgo_IsExpired_AndValidAfterMoreThan24HoursAhead_IsNotYetValid()
    {
        var late = new FakeTimeProvider(s_start + TimeSpan.FromHours(3 + 24) + TimeSpan.FromSeconds(1));
        var expired = new ConsensusHolder(Pinned, late).Offer(Build(0, _authorities));
        Assert.Equal(ConsensusRefusal.Expired, expired.Refusal);
        Assert.Equal(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1), expired.ClockSkew);

        var early = new FakeTimeProvider(s_start);
        var future = new ConsensusHolder(Pinned, early).Offer(Build(24.5, _authorities));
        Assert.Equal(ConsensusRefusal.NotYetValid, future.Refusal);
        Assert.Equal(TimeSpan.FromHours(-24.5), future.ClockSkew);

        // Our bound on the future side is stricter than Tor's 24 h: any consensus not yet valid is refused.
        Assert.Equal(ConsensusRefusal.NotYetValid, new ConsensusHolder(Pinned, early).Offer(Build(0.25, _authorities)).Refusal);
    }

    public static TheoryData<string, bool, string?> ClockSkews => new()
    {
        // skew of the local clock, taken, the warning logged (a consensus valid 0–3 h, really fetched at 1.5 h)
        { "-30.00:00:00", false, "ConsensusClockBehind" },
        { "-1.00:00:00", false, "ConsensusClockBehind" },
        { "-04:00:00", false, "ConsensusClockBehind" },
        { "-01:00:00", true, null },
        { "01:00:00", true, null },
        { "1.00:00:00", true, "ConsensusStale" },
        { "30.00:00:00", false, "ConsensusClockAheadOrOld" },
        { "365.00:00:00", false, "ConsensusClockAheadOrOld" },
    };

    [Theory]
    [MemberData(nameof(ClockSkews))]
    public void TM01_ClientClockSkew_WorksWithinAnHour_AndBeyondGivesAnExplicitClockDiagnosis(string skewText, bool taken, string? warning)
    {
        var skew = TimeSpan.Parse(skewText, System.Globalization.CultureInfo.InvariantCulture);
        var document = Build(0, _authorities);
        var clock = new FakeTimeProvider(s_start + TimeSpan.FromHours(1.5) + skew);

        // Empty cache: the document arrives from a fetch; it is offered again and again, as a retrying fetcher would.
        var logger = new ListLogger();
        var fetched = new ConsensusHolder(Pinned, clock, logger: logger);
        var result = fetched.Offer(document);
        for (var retry = 0; retry < 5; retry++)
        {
            fetched.Offer(document);
        }

        Assert.Equal(taken, result.Accepted);
        if (taken)
        {
            Assert.True(fetched.TryGetUsable(out _, out _));
        }
        else
        {
            Assert.Equal(skew < TimeSpan.Zero ? ConsensusRefusal.NotYetValid : ConsensusRefusal.Expired, result.Refusal);
            Assert.NotNull(result.ClockSkew);
            Assert.True(result.ClockSkew.Value.Duration() >= TimeSpan.FromHours(1), result.ClockSkew.ToString());
            Assert.Equal(Math.Sign(skew.Ticks), Math.Sign(result.ClockSkew.Value.Ticks));
        }

        var warnings = logger.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
        if (warning is null)
        {
            Assert.Empty(warnings);
        }
        else
        {
            // Once, however often the same document is offered.
            var logged = Assert.Single(warnings);
            Assert.Equal(warning, logged.Event.Name);
            if (warning != "ConsensusStale")
            {
                Assert.Contains(skew < TimeSpan.Zero ? "clock is behind" : "clock is ahead", logged.Message, StringComparison.Ordinal);
                Assert.Contains("check the system clock", logged.Message, StringComparison.Ordinal);
            }
        }

        // With a cached consensus: the cache is checked like a download; a clock behind is diagnosed, an old cache file
        // is not blamed on the clock (the program may simply have been stopped).
        var path = Path.Combine(_folder, "cached-consensus");
        System.IO.Directory.CreateDirectory(_folder);
        File.WriteAllBytes(path, document);
        var cacheLogger = new ListLogger();
        var load = new ConsensusHolder(Pinned, clock, logger: cacheLogger, cachePath: path).LoadCache();
        Assert.Equal(taken ? ConsensusCacheStatus.Loaded : ConsensusCacheStatus.Refused, load.Status);
        Assert.Equal(
            !taken && skew < TimeSpan.Zero,
            cacheLogger.Entries.Any(e => e.Event.Name == "ConsensusClockBehind"));
        Assert.DoesNotContain(cacheLogger.Entries, e => e.Event.Name == "ConsensusClockAheadOrOld");
    }

    [Fact]
    public void DK04_FlippedBytesInTheCachedConsensus_AreDetected_AndTheNextFetchIsTakenAndSaved()
    {
        var path = Path.Combine(_folder, "cached-consensus");
        System.IO.Directory.CreateDirectory(_folder);
        var document = Build(0, _authorities);
        var signatures = document.AsSpan().IndexOf("directory-signature "u8);
        var random = new Random(18);
        for (var trial = 0; trial < 200; trial++)
        {
            var corrupt = (byte[])document.Clone();
            var inBody = trial % 2 == 0;
            var at = inBody ? random.Next(signatures) : random.Next(signatures, corrupt.Length - 1);
            corrupt[at] ^= (byte)(1 << random.Next(8));
            File.WriteAllBytes(path, corrupt);

            var holder = new ConsensusHolder(Pinned, _clock, cachePath: path);
            var load = holder.LoadCache();

            // A flip that only renames a signer to a key nobody pinned leaves two good signatures: that is still the
            // authorities' document, byte for byte in its signed part.
            if (load.Status == ConsensusCacheStatus.Loaded)
            {
                Assert.False(inBody);
                Assert.Equal(document.AsSpan(0, signatures).ToArray(), holder.LatestDocument[..signatures].ToArray());
                continue;
            }

            Assert.Equal(ConsensusCacheStatus.Refused, load.Status);
            Assert.Contains(load.Offer.Refusal, (ConsensusRefusal[])[ConsensusRefusal.Malformed, ConsensusRefusal.BadSignature, ConsensusRefusal.TooFewSignatures]);
            if (inBody && load.Offer.Refusal != ConsensusRefusal.Malformed)
            {
                Assert.Equal(ConsensusRefusal.BadSignature, load.Offer.Refusal);
            }

            AssertNothingHeld(holder);

            // The re-fetched document is checked, taken, and replaces the corrupt file.
            Assert.True(holder.Offer(document).Accepted);
            Assert.Equal(document, File.ReadAllBytes(path));
        }
    }

    [Fact]
    public void DK01_AFailingCacheWrite_KeepsTheConsensusInMemory_AndWritingResumes()
    {
        _clock.SetUtcNow(s_start + TimeSpan.FromHours(1.5));
        var folder = Path.Combine(_folder, "data");
        var path = Path.Combine(folder, "cached-consensus");
        var logger = new ListLogger();
        var holder = new ConsensusHolder(Pinned, _clock, logger: logger, cachePath: path);
        var first = Build(0, _authorities);
        Assert.True(holder.Offer(first).Accepted);

        // Writes fail (fault injected: a file named like the temporary file's folder cannot be created under).
        System.IO.Directory.Delete(folder, recursive: true);
        File.WriteAllBytes(folder, [1]);
        var second = Build(1, _authorities);
        Assert.True(holder.Offer(second).Accepted);
        Assert.Equal(second, holder.LatestDocument.ToArray());
        Assert.Single(logger.Entries, e => e.Event.Name == "ConsensusCacheWriteFailed");

        File.Delete(folder);
        var third = Build(1.25, _authorities);
        Assert.True(holder.Offer(third).Accepted);
        Assert.Equal(third, File.ReadAllBytes(path));
    }

    [TmpfsFact]
    public void DK01_DiskFull_TheCacheWriteFailsWithoutATornFile_AndResumesWhenSpaceReturns()
    {
        _clock.SetUtcNow(s_start + TimeSpan.FromHours(1.5));
        using var disk = SmallTmpfs.Mount(64);
        var path = Path.Combine(disk.Path, "cached-consensus");
        var logger = new ListLogger();
        var holder = new ConsensusHolder(Pinned, _clock, logger: logger, cachePath: path);
        var first = Build(0, _authorities);
        Assert.True(holder.Offer(first).Accepted);
        Assert.Equal(first, File.ReadAllBytes(path));

        var filler = disk.Fill("filler");
        var second = Build(1, _authorities);
        Assert.True(holder.Offer(second).Accepted); // ENOSPC: the consensus is used from memory
        Assert.Equal(second, holder.LatestDocument.ToArray());
        var failure = Assert.Single(logger.Entries, e => e.Event.Name == "ConsensusCacheWriteFailed");
        Assert.Equal(first, File.ReadAllBytes(path)); // the old file, whole
        Assert.Equal(["cached-consensus", "filler"], System.IO.Directory.GetFiles(disk.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        File.Delete(filler);
        var third = Build(1.25, _authorities);
        Assert.True(holder.Offer(third).Accepted);
        Assert.Equal(third, File.ReadAllBytes(path));
        Assert.Equal(["cached-consensus"], System.IO.Directory.GetFiles(disk.Path).Select(Path.GetFileName));
        Assert.Equal(LogLevel.Warning, failure.Level);
    }

    private static byte[] Twice(byte[] signedOnce, int bodyLength) => [.. signedOnce, .. signedOnce.Skip(bodyLength)];

    private static byte[] ChangeOneBodyByte(byte[] document)
    {
        var text = Encoding.ASCII.GetString(document);
        var at = text.IndexOf("relay Relay1 ", StringComparison.Ordinal) + "relay Relay".Length;
        var changed = (byte[])document.Clone();
        changed[at] = (byte)'2';
        return changed;
    }
}
