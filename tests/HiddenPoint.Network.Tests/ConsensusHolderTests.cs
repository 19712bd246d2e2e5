using System.Collections.Concurrent;
using System.Net;
using System.Text;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.Directory;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Network.Tests;

public sealed partial class ConsensusHolderTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    private readonly AuthorityIdentityKey[] _authorities = [Authority(1), Authority(2), Authority(3)];
    private readonly AuthorityIdentityKey _outsider = Authority(9);
    private readonly FakeTimeProvider _clock = new(s_start + TimeSpan.FromMinutes(30));
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "hpc-consensus-" + Guid.NewGuid().ToString("N"));

    private AuthorityId[] Pinned => [.. _authorities.Select(a => a.Id)];

    [Fact]
    public void TakesAConsensusSignedByAllPinnedAuthorities()
    {
        var holder = new ConsensusHolder(Pinned, _clock);
        var changed = new List<Consensus>();
        holder.Changed += (_, c) => changed.Add(c);
        var document = Build(0, _authorities);

        var result = holder.Offer(document);

        Assert.True(result.Accepted, result.ToString());
        Assert.Equal(ConsensusRefusal.None, result.Refusal);
        Assert.Equal(Timeliness.Valid, result.Timeliness);
        Assert.Equal(3, result.ValidSignatures);
        Assert.Equal(2, result.RequiredSignatures);
        Assert.Equal(document, holder.LatestDocument.ToArray());
        Assert.Same(holder.Latest, Assert.Single(changed));
        Assert.True(holder.TryGetUsable(out var usable, out var reason));
        Assert.Equal(ConsensusUnavailable.None, reason);
        Assert.Equal(s_start, usable.ValidAfter);
        Assert.Single(usable.Relays);
    }

    [Fact]
    public void TakesTwoOfThreeSignatures()
    {
        var holder = new ConsensusHolder(Pinned, _clock);
        var result = holder.Offer(Build(0, _authorities[0], _authorities[2]));
        Assert.True(result.Accepted, result.ToString());
        Assert.Equal(2, holder.Latest!.Signers.Count);
    }

    [Fact]
    public void RefusesOneOfThree()
    {
        var holder = new ConsensusHolder(Pinned, _clock);
        var result = holder.Offer(Build(0, _authorities[1]));
        Assert.False(result.Accepted);
        Assert.Equal(ConsensusRefusal.TooFewSignatures, result.Refusal);
        Assert.Equal(SignatureError.TooFewSignatures, result.SignatureError);
        Assert.Equal((1, 2), (result.ValidSignatures, result.RequiredSignatures));
        AssertNothingHeld(holder);
    }

    [Fact]
    public void AnUnknownSignerCountsNowhere()
    {
        var holder = new ConsensusHolder(Pinned, _clock);
        var refused = holder.Offer(Build(0, _authorities[0], _outsider));
        Assert.Equal(ConsensusRefusal.TooFewSignatures, refused.Refusal);
        Assert.Equal(1, refused.ValidSignatures);
        AssertNothingHeld(holder);

        var taken = holder.Offer(Build(0, _authorities[0], _authorities[1], _outsider));
        Assert.True(taken.Accepted, taken.ToString());
        Assert.DoesNotContain(_outsider.Id, holder.Latest!.Signers);
    }

    [Fact]
    public void RefusesASignatureThatDoesNotVerify()
    {
        var holder = new ConsensusHolder(Pinned, _clock);
        var body = Body(0);
        var otherBody = Body(1);
        var forged = NetworkStatusBuilder.Assemble(body, [
            NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, otherBody, _authorities[0]),
            NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, _authorities[1]),
            NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, _authorities[2]),
        ]);

        var result = holder.Offer(forged);

        Assert.Equal(ConsensusRefusal.BadSignature, result.Refusal);
        Assert.Equal(SignatureError.BadSignature, result.SignatureError);
        AssertNothingHeld(holder);
    }

    [Fact]
    public void RefusesAnAlteredBody()
    {
        var holder = new ConsensusHolder(Pinned, _clock);
        var document = Build(0, _authorities);
        var text = Encoding.ASCII.GetString(document);
        var altered = Encoding.ASCII.GetBytes(text.Replace("relay Relay1 ", "relay Relay2 ", StringComparison.Ordinal));
        Assert.NotEqual(document, altered);

        Assert.Equal(ConsensusRefusal.BadSignature, holder.Offer(altered).Refusal);
        AssertNothingHeld(holder);
    }

    [Fact]
    public void RefusesTheSameSignerTwice()
    {
        var holder = new ConsensusHolder(Pinned, _clock);
        var body = Body(0);
        var once = NetworkStatusBuilder.Assemble(body, [NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, _authorities[0])]);
        var twice = once.Concat(once.Skip(body.Length)).ToArray();

        var result = holder.Offer(twice);

        Assert.Equal(ConsensusRefusal.Malformed, result.Refusal);
        Assert.Equal(DocumentErrorKind.DuplicateEntry, result.ParseError.Kind);
        AssertNothingHeld(holder);
    }

    [Fact]
    public void RefusesAConsensusFromTheFuture()
    {
        var holder = new ConsensusHolder(Pinned, _clock);
        var result = holder.Offer(Build(2, _authorities));
        Assert.Equal(ConsensusRefusal.NotYetValid, result.Refusal);
        Assert.Equal(Timeliness.NotYetValid, result.Timeliness);
        AssertNothingHeld(holder);
    }

    [Fact]
    public void TakesAStaleConsensusWithinTheGraceButNotAnExpiredOne()
    {
        var holder = new ConsensusHolder(Pinned, _clock);
        var document = Build(0, _authorities); // valid until 11:00, grace to 11:00 the next day
        _clock.SetUtcNow(s_start + TimeSpan.FromHours(3 + 24));
        var stale = holder.Offer(document);
        Assert.True(stale.Accepted, stale.ToString());
        Assert.Equal(Timeliness.Stale, stale.Timeliness);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var later = new ConsensusHolder(Pinned, _clock);
        var expired = later.Offer(document);
        Assert.Equal(ConsensusRefusal.Expired, expired.Refusal);
        Assert.Equal(Timeliness.Expired, expired.Timeliness);
        AssertNothingHeld(later);
    }

    [Fact]
    public void NeverGoesBackToAnOlderOrTheSameConsensus()
    {
        _clock.SetUtcNow(s_start + TimeSpan.FromHours(1.5)); // periods 0 and 1 are both inside their windows
        var holder = new ConsensusHolder(Pinned, _clock);
        var older = Build(0, _authorities);
        var newer = Build(1, _authorities);
        Assert.True(holder.Offer(newer).Accepted);

        var rollback = holder.Offer(older);
        Assert.Equal(ConsensusRefusal.NotNewer, rollback.Refusal);
        Assert.True(rollback.NotNewer);
        var same = holder.Offer(newer);
        Assert.Equal(ConsensusRefusal.NotNewer, same.Refusal);
        var sameWithFewerSignatures = holder.Offer(Build(1, _authorities[0], _authorities[1]));
        Assert.Equal(ConsensusRefusal.NotNewer, sameWithFewerSignatures.Refusal);

        Assert.Equal(newer, holder.LatestDocument.ToArray());
        Assert.True(holder.Offer(Build(1.25, _authorities)).Accepted);
    }

    [Fact]
    public void RefusesAnOversizedDocumentBeforeReadingIt()
    {
        var holder = new ConsensusHolder(Pinned, _clock);
        var huge = new byte[NetworkStatus.MaxSize + 1];
        huge.AsSpan().Fill((byte)'a');
        huge[^1] = (byte)'\n';

        var result = holder.Offer(huge);

        Assert.Equal(ConsensusRefusal.TooLarge, result.Refusal);
        Assert.Equal(DocumentErrorKind.TooLarge, result.ParseError.Kind);
        AssertNothingHeld(holder);
    }

    [Fact]
    public void RefusesGarbageWithoutThrowing()
    {
        var holder = new ConsensusHolder(Pinned, _clock);
        var random = new Random(1234);
        var document = Build(0, _authorities);
        var bodyLength = document.AsSpan().IndexOf("directory-signature "u8);
        var inputs = new List<byte[]> { Array.Empty<byte>(), "\n"u8.ToArray(), "hpc-consensus 1\n"u8.ToArray(), document[..^1], document.Take(document.Length / 2).ToArray() };
        for (var i = 0; i < 200; i++)
        {
            var mutated = (byte[])document.Clone();
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            inputs.Add(mutated);
            var noise = new byte[random.Next(1, 600)];
            random.NextBytes(noise);
            inputs.Add(noise);
        }

        foreach (var input in inputs)
        {
            var result = holder.Offer(input);
            if (result.Accepted)
            {
                // Only a change outside the signed body can be taken: one that turns a signer into a key that is not
                // pinned (then ignored) while enough others remain.
                Assert.Equal(document.AsSpan(0, bodyLength).ToArray(), input.AsSpan(0, bodyLength).ToArray());
                Assert.True(holder.Latest!.Signers.Count >= 2);
                holder = new ConsensusHolder(Pinned, _clock);
            }
            else
            {
                Assert.NotEqual(ConsensusRefusal.None, result.Refusal);
            }
        }
    }

    [Fact]
    public void WarnsOnceDuringTheGraceThenReportsTheClearError()
    {
        var logger = new ListLogger();
        var holder = new ConsensusHolder(Pinned, _clock, logger: logger);
        Assert.True(holder.Offer(Build(0, _authorities)).Accepted);

        _clock.SetUtcNow(s_start + TimeSpan.FromHours(3));
        Assert.True(holder.TryGetUsable(out _, out _));
        Assert.DoesNotContain(logger.Entries, e => e.Level == LogLevel.Warning);

        _clock.SetUtcNow(s_start + TimeSpan.FromHours(4));
        Assert.True(holder.TryGetUsable(out var stale, out var reason));
        Assert.Equal(ConsensusUnavailable.None, reason);
        Assert.Equal(s_start, stale.ValidAfter);
        _clock.SetUtcNow(s_start + TimeSpan.FromHours(26));
        Assert.True(holder.TryGetUsable(out _, out _));
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal("ConsensusStale", warning.Event.Name);

        _clock.SetUtcNow(s_start + TimeSpan.FromHours(27));
        Assert.True(holder.TryGetUsable(out _, out _)); // valid-until + grace is still usable
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(holder.TryGetUsable(out var none, out reason));
        Assert.Null(none);
        Assert.Equal(ConsensusUnavailable.Expired, reason);
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);

        var message = holder.Describe(reason);
        Assert.Equal(
            "no usable consensus: the newest one held expired at 2026-11-29 11:00:00Z (valid-until 2026-11-28 11:00:00Z + 24 h grace); " +
            "no newer one signed by a majority of the authorities has been received",
            message);
        var thrown = Assert.Throws<NoUsableConsensusException>(holder.GetUsable);
        Assert.Equal(ConsensusUnavailable.Expired, thrown.Reason);
        Assert.Equal(message, thrown.Message);

        // A newer consensus makes it usable again.
        Assert.True(holder.Offer(Build(26, _authorities)).Accepted);
        Assert.True(holder.TryGetUsable(out _, out _));
    }

    [Fact]
    public void ReportsWhenNoneWasEverTaken()
    {
        var holder = new ConsensusHolder(Pinned, _clock, grace: TimeSpan.FromHours(2));
        Assert.False(holder.TryGetUsable(out _, out var reason));
        Assert.Equal(ConsensusUnavailable.NoneYet, reason);
        Assert.StartsWith("no usable consensus: none", holder.Describe(reason), StringComparison.Ordinal);
        Assert.True(holder.LatestDocument.IsEmpty);
        Assert.Equal(TimeSpan.FromHours(2), holder.Grace);
    }

    [Fact]
    public void AShorterGraceEndsSooner()
    {
        var holder = new ConsensusHolder(Pinned, _clock, grace: TimeSpan.FromHours(1));
        Assert.True(holder.Offer(Build(0, _authorities)).Accepted);
        _clock.SetUtcNow(s_start + TimeSpan.FromHours(4) + TimeSpan.FromSeconds(1));
        Assert.False(holder.TryGetUsable(out _, out var reason));
        Assert.Contains("+ 1 h grace", holder.Describe(reason), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentOffersEndWithTheNewestAndReadersAlwaysSeeAWholeConsensus()
    {
        _clock.SetUtcNow(s_start + TimeSpan.FromHours(2.5)); // periods 0, 0.25, ... 2.25 are all inside their windows
        var documents = Enumerable.Range(0, 10).Select(i => Build(i * 0.25, _authorities)).ToArray();
        var holder = new ConsensusHolder(Pinned, _clock);
        var changed = new ConcurrentQueue<Consensus>();
        holder.Changed += (_, c) => changed.Enqueue(c);
        var accepted = 0;
        using var stop = new CancellationTokenSource();

        var reader = Task.Run(() =>
        {
            var reads = 0;
            while (!stop.IsCancellationRequested)
            {
                if (holder.TryGetUsable(out var consensus, out _))
                {
                    // The consensus and its bytes always belong together.
                    Assert.True(UnverifiedConsensus.TryParse(consensus.Document.Span, out var parsed, out _));
                    Assert.Equal(consensus.Document.Length, parsed.Document.Length);
                    reads++;
                }
            }

            return reads;
        });

        var offers = Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            var order = documents.OrderBy(_ => Random.Shared.Next()).ToArray();
            foreach (var document in order)
            {
                if (holder.Offer(document).Accepted)
                {
                    Interlocked.Increment(ref accepted);
                }
            }
        })).ToArray();

        await Task.WhenAll(offers).WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        Assert.True(await reader.WaitAsync(TimeSpan.FromSeconds(30)) >= 0);

        Assert.Equal(documents[^1], holder.LatestDocument.ToArray());
        Assert.InRange(accepted, 1, documents.Length);
        Assert.Equal(accepted, changed.Count);
        Assert.Equal(accepted, changed.Select(c => c.ValidAfter).Distinct().Count());
    }

    [Fact]
    public void SavesEachTakenConsensusAndLoadsItAgain()
    {
        var path = Path.Combine(_folder, "consensus");
        var first = new ConsensusHolder(Pinned, _clock, cachePath: path);
        Assert.Equal(ConsensusCacheStatus.NoFile, first.LoadCache().Status);
        var document = Build(0, _authorities);
        Assert.True(first.Offer(document).Accepted);
        Assert.Equal(document, File.ReadAllBytes(path));
        Assert.Empty(System.IO.Directory.GetFiles(_folder, "*.tmp"));

        var second = new ConsensusHolder(Pinned, _clock, cachePath: path);
        var load = second.LoadCache();
        Assert.Equal(ConsensusCacheStatus.Loaded, load.Status);
        Assert.True(load.Offer.Accepted);
        Assert.Equal(document, second.LatestDocument.ToArray());

        Assert.Equal(ConsensusCacheStatus.NoCacheConfigured, new ConsensusHolder(Pinned, _clock).LoadCache().Status);
    }

    [Fact]
    public void IgnoresACorruptForgedOrExpiredCacheFile()
    {
        var path = Path.Combine(_folder, "consensus");
        System.IO.Directory.CreateDirectory(_folder);

        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("not a consensus\0\n"));
        var corrupt = new ConsensusHolder(Pinned, _clock, cachePath: path).LoadCache();
        Assert.Equal(ConsensusCacheStatus.Refused, corrupt.Status);
        Assert.Equal(ConsensusRefusal.Malformed, corrupt.Offer.Refusal);

        var document = Build(0, _authorities);
        File.WriteAllBytes(path, document[..(document.Length - 10)]);
        Assert.Equal(ConsensusRefusal.Malformed, new ConsensusHolder(Pinned, _clock, cachePath: path).LoadCache().Offer.Refusal);

        File.WriteAllBytes(path, Build(0, _outsider, _authorities[0]));
        var forged = new ConsensusHolder(Pinned, _clock, cachePath: path);
        Assert.Equal(ConsensusRefusal.TooFewSignatures, forged.LoadCache().Offer.Refusal);
        AssertNothingHeld(forged);

        File.WriteAllBytes(path, document);
        _clock.SetUtcNow(s_start + TimeSpan.FromDays(3));
        Assert.Equal(ConsensusRefusal.Expired, new ConsensusHolder(Pinned, _clock, cachePath: path).LoadCache().Offer.Refusal);

        System.IO.Directory.CreateDirectory(Path.Combine(_folder, "folder-not-file"));
        var unreadable = new ConsensusHolder(Pinned, _clock, cachePath: Path.Combine(_folder, "folder-not-file")).LoadCache();
        Assert.Equal(ConsensusCacheStatus.Unreadable, unreadable.Status);
    }

    [Fact]
    public void RefusesBadArguments()
    {
        Assert.Throws<ArgumentException>(() => new ConsensusHolder([], _clock));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConsensusHolder(Pinned, _clock, TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentNullException>(() => new ConsensusHolder(Pinned, null!));
    }

    public void Dispose()
    {
        foreach (var key in _authorities)
        {
            key.Dispose();
        }

        _outsider.Dispose();
        if (System.IO.Directory.Exists(_folder))
        {
            System.IO.Directory.Delete(_folder, recursive: true);
        }
    }

    private static void AssertNothingHeld(ConsensusHolder holder)
    {
        Assert.Null(holder.Latest);
        Assert.True(holder.LatestDocument.IsEmpty);
        Assert.False(holder.TryGetUsable(out _, out var reason));
        Assert.Equal(ConsensusUnavailable.NoneYet, reason);
    }

    private static AuthorityIdentityKey Authority(byte n)
    {
        var seed = new byte[32];
        seed[0] = 0xA0;
        seed[1] = n;
        return AuthorityIdentityKey.FromSeed(seed);
    }

    private static byte[] Seed(byte n, byte tag)
    {
        var seed = new byte[32];
        seed[0] = tag;
        seed[1] = n;
        return seed;
    }

    // A consensus for the period starting `hours` after s_start: fresh for an hour, valid for three.
    private byte[] Body(double hours)
    {
        var validAfter = s_start + TimeSpan.FromHours(hours);
        using var relay = RelayIdentityKey.FromSeed(Seed(1, 0x10));
        return new NetworkStatusBuilder
        {
            ValidAfter = validAfter,
            FreshUntil = validAfter + TimeSpan.FromHours(1),
            ValidUntil = validAfter + TimeSpan.FromHours(3),
            SharedRandomPreviousValue = new byte[NetworkStatus.SharedRandomLength],
            SharedRandomCurrentValue = new byte[NetworkStatus.SharedRandomLength],
            Authorities = [.. _authorities.Select((a, i) => new AuthorityEntry(a.Id, "auth" + (i + 1), new RelayAddress(IPAddress.Loopback, (ushort)(7000 + i))))],
            Relays =
            [
                new RelayStatus(relay.Id, "Relay1", [new RelayAddress(IPAddress.Parse("127.1.0.1"), 9001)],
                    LinkKey.FromSeed(Seed(1, 0x20)).Public, CircuitHandshakeKey.FromSeed(Seed(1, 0x30)).Public,
                    RelayFlags.Running | RelayFlags.Valid, 100),
            ],
        }.BuildBody(NetworkStatusKind.Consensus);
    }

    private byte[] Build(double hours, params AuthorityIdentityKey[] signers)
    {
        var body = Body(hours);
        return NetworkStatusBuilder.Assemble(body, signers.Select(s => NetworkStatusBuilder.Sign(NetworkStatusKind.Consensus, body, s)));
    }

    private sealed class ListLogger : ILogger<ConsensusHolder>
    {
        private readonly ConcurrentQueue<(LogLevel Level, EventId Event, string Message)> _entries = new();

        public IReadOnlyList<(LogLevel Level, EventId Event, string Message)> Entries => [.. _entries];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _entries.Enqueue((logLevel, eventId, formatter(state, exception)));
    }
}
