using System.Diagnostics.Metrics;
using System.Text;
using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.Network.HiddenPoints;
using HiddenPoint.Protocol.Documents;
using HiddenPoint.Protocol.HiddenPoints;
using HiddenPoint.Relay.Diagnostics;
using HiddenPoint.Relay.HiddenPoints;
using HiddenPoint.Relay.Limits;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Relay.Tests;

public sealed class HsDirStoreTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const RelayFlags HsDirFlags = RelayFlags.HSDir | RelayFlags.Running | RelayFlags.Valid;

    private static readonly DateTimeOffset s_start = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(s_start);

    [Fact]
    public void Stores_a_valid_descriptor_and_serves_it()
    {
        using var host = new Host();
        var document = host.Descriptor(revision: 1);
        var store = new HsDirStore(timeProvider: _time);

        Assert.Equal(HsDirStoreResult.Stored, store.Store(host.BlindedKey, document));
        Assert.True(store.TryFetch(host.BlindedKey, out var fetched));
        Assert.Equal(document, fetched.ToArray());
        Assert.Equal(1, store.Count);
        Assert.Equal(document.Length + HsDirStore.EntryOverhead, store.Bytes);
        Assert.False(store.TryFetch(new byte[32], out _));
        Assert.False(store.TryFetch(new byte[31], out _));
    }

    [Fact]
    public void A_descriptor_built_from_the_identity_is_stored()
    {
        using var identity = HiddenPointIdentitySecretKey.Generate();
        using var signing = HsDescriptorSigningKey.Generate();
        var period = TimePeriod.FromInstant(s_start);
        var document = HiddenPointDescriptor.Build(identity, period, signing, new HsDescriptorContent
        {
            RevisionCounter = 3,
            CertificatesExpire = s_start.AddHours(54),
            IntroductionPoints = [],
        });
        var blinded = KeyBlinding.BlindPublicKey(identity.PublicKey, period, KeyBlindingLabels.Hpc);
        var store = new HsDirStore(timeProvider: _time);
        Assert.Equal(HsDirStoreResult.Stored, store.Store(blinded.Bytes, document));
    }

    [Fact]
    public void Refuses_a_bad_signature()
    {
        using var host = new Host();
        var text = Encoding.ASCII.GetString(host.Descriptor(revision: 1));
        var at = text.IndexOf("superencrypted ", StringComparison.Ordinal) + 20;
        var tampered = Encoding.ASCII.GetBytes(text[..at] + (text[at] == 'A' ? 'B' : 'A') + text[(at + 1)..]);
        var store = new HsDirStore(timeProvider: _time);
        Assert.Equal(HsDirStoreResult.BadSignature, store.Store(host.BlindedKey, tampered));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Refuses_a_descriptor_under_another_blinded_key()
    {
        using var host = new Host();
        using var other = new Host();
        var store = new HsDirStore(timeProvider: _time);
        Assert.Equal(HsDirStoreResult.WrongBlindedKey, store.Store(other.BlindedKey, host.Descriptor(revision: 1)));
        Assert.Equal(HsDirStoreResult.WrongBlindedKey, store.Store(new byte[32], host.Descriptor(revision: 1)));
        Assert.Equal(HsDirStoreResult.Malformed, store.Store(new byte[31], host.Descriptor(revision: 1)));
    }

    [Fact]
    public void Refuses_an_expired_certificate()
    {
        using var host = new Host();
        var document = host.Descriptor(revision: 1, certificateExpires: s_start.AddHours(2));
        var store = new HsDirStore(timeProvider: _time);
        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(HsDirStoreResult.CertificateExpired, store.Store(host.BlindedKey, document));
    }

    [Fact]
    public void Refuses_a_lifetime_over_twelve_hours()
    {
        using var host = new Host();
        var text = Encoding.ASCII.GetString(host.Descriptor(revision: 1, lifetimeMinutes: 720));
        var store = new HsDirStore(timeProvider: _time);
        Assert.Equal(HsDirStoreResult.Stored, store.Store(host.BlindedKey, Encoding.ASCII.GetBytes(text)));
        var longer = Encoding.ASCII.GetBytes(text.Replace("descriptor-lifetime 720", "descriptor-lifetime 721", StringComparison.Ordinal));
        Assert.Equal(HsDirStoreResult.BadLifetime, store.Store(host.BlindedKey, longer));
    }

    [Fact]
    public void Refuses_an_older_or_equal_revision_and_replaces_with_a_higher_one()
    {
        using var host = new Host();
        var store = new HsDirStore(timeProvider: _time);
        Assert.Equal(HsDirStoreResult.Stored, store.Store(host.BlindedKey, host.Descriptor(revision: 5)));
        Assert.Equal(HsDirStoreResult.OldRevision, store.Store(host.BlindedKey, host.Descriptor(revision: 5)));
        Assert.Equal(HsDirStoreResult.OldRevision, store.Store(host.BlindedKey, host.Descriptor(revision: 4)));

        var newer = host.Descriptor(revision: 6, blobLength: 900);
        Assert.Equal(HsDirStoreResult.Stored, store.Store(host.BlindedKey, newer));
        Assert.True(store.TryFetch(host.BlindedKey, out var fetched));
        Assert.Equal(newer, fetched.ToArray());
        Assert.Equal(1, store.Count);
        Assert.Equal(newer.Length + HsDirStore.EntryOverhead, store.Bytes);
    }

    [Fact]
    public void Refuses_oversized_and_garbage_input()
    {
        using var host = new Host();
        var store = new HsDirStore(timeProvider: _time);
        Assert.Equal(HsDirStoreResult.TooLarge, store.Store(host.BlindedKey, new byte[HsDescriptorFormat.MaxSize + 1]));
        Assert.Equal(HsDirStoreResult.Malformed, store.Store(host.BlindedKey, []));
        Assert.Equal(HsDirStoreResult.Malformed, store.Store(host.BlindedKey, "hpc-hs-descriptor 1\n"u8));

        var random = new Random(5);
        for (var i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(1, 2000)];
            random.NextBytes(garbage);
            Assert.Equal(HsDirStoreResult.Malformed, store.Store(host.BlindedKey, garbage));
        }

        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public void Entries_expire_after_their_lifetime()
    {
        using var short1 = new Host();
        using var long1 = new Host();
        var store = new HsDirStore(timeProvider: _time);
        Assert.Equal(HsDirStoreResult.Stored, store.Store(short1.BlindedKey, short1.Descriptor(revision: 1, lifetimeMinutes: 60)));
        Assert.Equal(HsDirStoreResult.Stored, store.Store(long1.BlindedKey, long1.Descriptor(revision: 1, lifetimeMinutes: 180)));

        _time.Advance(TimeSpan.FromMinutes(60) - TimeSpan.FromTicks(1));
        Assert.True(store.TryFetch(short1.BlindedKey, out _));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(store.TryFetch(short1.BlindedKey, out _));
        Assert.Equal(1, store.Count);

        _time.Advance(TimeSpan.FromMinutes(120));
        Assert.Equal(1, store.RemoveExpired());
        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);

        // Once expired, the same blinded key can be stored again from any revision.
        Assert.Equal(HsDirStoreResult.Stored, store.Store(short1.BlindedKey, short1.Descriptor(revision: 1, lifetimeMinutes: 60)));
    }

    [Fact]
    public void Evicts_the_entries_closest_to_expiry_when_over_budget()
    {
        var store = new HsDirStore(Options.Create(new HsDirStoreOptions { MaxBytes = HsDirStoreOptions.MinMaxBytes }), _time);
        var hosts = Enumerable.Range(0, 6).Select(_ => new Host()).ToList();
        try
        {
            // About 45 KB each: four fit in the smallest budget (4 × the largest descriptor).
            int[] lifetimes = [300, 60, 600, 120, 400, 500];
            var documents = hosts.Select((h, i) => h.Descriptor(revision: 1, lifetimeMinutes: lifetimes[i], blobLength: 33_000)).ToList();
            Assert.True(documents.All(d => d.Length <= HsDescriptorFormat.MaxSize));
            Assert.Equal(4, (int)(store.MaxBytes / (documents[0].Length + HsDirStore.EntryOverhead)));
            for (var i = 0; i < 6; i++)
            {
                Assert.Equal(HsDirStoreResult.Stored, store.Store(hosts[i].BlindedKey, documents[i]));
                Assert.True(store.Bytes <= store.MaxBytes);
            }

            // The fifth evicted the 60-minute one, the sixth the 120-minute one.
            Assert.Equal(4, store.Count);
            Assert.False(store.TryFetch(hosts[1].BlindedKey, out _));
            Assert.False(store.TryFetch(hosts[3].BlindedKey, out _));
            foreach (var i in new[] { 0, 2, 4, 5 })
            {
                Assert.True(store.TryFetch(hosts[i].BlindedKey, out _));
            }
        }
        finally
        {
            hosts.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public void Options_out_of_range_name_the_option()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new HsDirStore(Options.Create(new HsDirStoreOptions { MaxBytes = 1000 })));
        Assert.Contains("HsDirStoreOptions.MaxBytes", error.Message, StringComparison.Ordinal);
        new HsDirStoreOptions().Validate();
    }

    [Fact]
    public async Task Concurrent_stores_keep_the_table_consistent()
    {
        var hosts = Enumerable.Range(0, 16).Select(_ => new Host()).ToList();
        try
        {
            // Every host uploads revisions 1..6 from several threads at once, in shuffled order.
            var uploads = hosts.SelectMany(h => Enumerable.Range(1, 6).Select(r => (Host: h, Document: h.Descriptor(revision: (ulong)r)))).ToList();
            var random = new Random(3);
            uploads = [.. uploads.OrderBy(_ => random.Next())];
            var store = new HsDirStore(timeProvider: _time);
            var results = new HsDirStoreResult[uploads.Count];
            using var start = new ManualResetEventSlim();
            var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
            {
                start.Wait(TimeSpan.FromSeconds(10));
                for (var i = w; i < uploads.Count; i += 4)
                {
                    results[i] = store.Store(uploads[i].Host.BlindedKey, uploads[i].Document);
                }
            })).ToArray();
            start.Set();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.All(results, r => Assert.True(r is HsDirStoreResult.Stored or HsDirStoreResult.OldRevision, r.ToString()));
            Assert.Equal(hosts.Count, store.Count);
            long bytes = 0;
            foreach (var host in hosts)
            {
                // Whatever the interleaving, the highest revision is what remains.
                Assert.True(store.TryFetch(host.BlindedKey, out var fetched));
                Assert.Contains("revision-counter 6\n", Encoding.ASCII.GetString(fetched.Span), StringComparison.Ordinal);
                bytes += fetched.Length + HsDirStore.EntryOverhead;
            }

            Assert.Equal(bytes, store.Bytes);
        }
        finally
        {
            hosts.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public void Counts_stores_and_refusals_by_reason_and_reports_what_it_holds()
    {
        using var meters = new TestMeterFactory();
        var counts = new Dictionary<string, long>();
        var gauges = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RelayTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var reason = tags.ToArray().FirstOrDefault(t => t.Key == "reason").Value as string;
            var name = reason is null ? instrument.Name : $"{instrument.Name}/{reason}";
            lock (counts)
            {
                if (instrument is ObservableGauge<long>)
                {
                    gauges[name] = value;
                }
                else
                {
                    counts[name] = counts.GetValueOrDefault(name) + value;
                }
            }
        });
        listener.Start();

        using var host = new Host();
        var store = new HsDirStore(timeProvider: _time, meterFactory: meters);
        var document = host.Descriptor(revision: 2);
        store.Store(host.BlindedKey, document);
        store.Store(host.BlindedKey, document);
        store.Store(host.BlindedKey, [1, 2, 3]);
        listener.RecordObservableInstruments();

        Assert.Equal(1, counts["hpc.hsdir.descriptors.stored"]);
        Assert.Equal(1, counts["hpc.hsdir.descriptors.refused/old_revision"]);
        Assert.Equal(1, counts["hpc.hsdir.descriptors.refused/malformed"]);
        Assert.Equal(1, gauges["hpc.hsdir.descriptors.held"]);
        Assert.Equal(document.Length + HsDirStore.EntryOverhead, gauges["hpc.hsdir.bytes.held"]);
    }

    [Fact]
    public async Task With_a_quota_stores_claim_and_every_removal_releases_until_the_sweep_empties_it()
    {
        var quota = Quota(memoryLimit: 16L * 1024 * 1024, cacheSharePercent: 20);
        var store = new HsDirStore(timeProvider: _time, memoryQuota: quota);
        var hosts = Enumerable.Range(0, 3).Select(_ => new Host()).ToList();
        using var sweeper = new HsDirSweeper(store, Options.Create(new HsDirStoreOptions()), _time);
        try
        {
            int[] lifetimes = [60, 120, 180];
            for (var i = 0; i < hosts.Count; i++)
            {
                Assert.Equal(HsDirStoreResult.Stored, store.Store(hosts[i].BlindedKey, hosts[i].Descriptor(revision: 1, lifetimeMinutes: lifetimes[i])));
                Assert.Equal(store.Bytes, quota.CacheBytes);
            }

            // A replacement of another size gives back the old entry's claim and claims its own.
            Assert.Equal(HsDirStoreResult.Stored, store.Store(hosts[2].BlindedKey, hosts[2].Descriptor(revision: 2, lifetimeMinutes: 180, blobLength: 3_000)));
            Assert.Equal(3, store.Count);
            Assert.Equal(store.Bytes, quota.CacheBytes);

            // Expiry noticed by a fetch releases too.
            _time.Advance(TimeSpan.FromMinutes(60));
            Assert.False(store.TryFetch(hosts[0].BlindedKey, out _));
            Assert.Equal(2, store.Count);
            Assert.Equal(store.Bytes, quota.CacheBytes);

            // Nobody uploads or fetches any more: only the periodic sweep gives the rest back.
            _time.Advance(TimeSpan.FromMinutes(121));
            Assert.Equal(2, store.Count);
            await sweeper.StartAsync(CancellationToken.None);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (store.Count > 0 && DateTime.UtcNow < deadline)
            {
                // The sweeper's timer is created on its own thread; keep the fake clock moving until it has ticked.
                _time.Advance(TimeSpan.FromMinutes(1));
                await Task.Delay(10);
            }

            Assert.Equal(0, store.Count);
            Assert.Equal(0, store.Bytes);
            Assert.Equal(0, quota.CacheBytes);
            Assert.Equal(0, quota.Used);
        }
        finally
        {
            await sweeper.StopAsync(CancellationToken.None);
            hosts.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public void FL08_A_full_cache_share_evicts_the_entries_closest_to_expiry_and_refuses_only_when_nothing_is_left()
    {
        var quota = Quota(memoryLimit: 1L << 20, cacheSharePercent: 10);
        var store = new HsDirStore(timeProvider: _time, memoryQuota: quota);
        var hosts = Enumerable.Range(0, 4).Select(_ => new Host()).ToList();
        try
        {
            // Same digit count in every lifetime, so the three small descriptors are the same size.
            int[] lifetimes = [180, 120, 240];
            var small = Enumerable.Range(0, 3).Select(i => hosts[i].Descriptor(revision: 1, lifetimeMinutes: lifetimes[i])).ToList();
            var entry = small[0].Length + HsDirStore.EntryOverhead;
            Assert.All(small, d => Assert.Equal(small[0].Length, d.Length));

            // Another cache holds all of the share but room for two entries.
            var other = quota.CacheShare - (2 * entry);
            Assert.True(quota.TryClaimCache(other));
            Assert.Equal(HsDirStoreResult.Stored, store.Store(hosts[0].BlindedKey, small[0]));
            Assert.Equal(HsDirStoreResult.Stored, store.Store(hosts[1].BlindedKey, small[1]));
            Assert.Equal(quota.CacheShare, quota.CacheBytes);

            // The third evicts the one closest to expiry (120 minutes), not the oldest stored.
            Assert.Equal(HsDirStoreResult.Stored, store.Store(hosts[2].BlindedKey, small[2]));
            Assert.Equal(2, store.Count);
            Assert.False(store.TryFetch(hosts[1].BlindedKey, out _));
            Assert.True(store.TryFetch(hosts[0].BlindedKey, out _));
            Assert.True(store.TryFetch(hosts[2].BlindedKey, out _));
            Assert.Equal(quota.CacheShare, quota.CacheBytes);

            // A descriptor larger than everything the store could free is refused, after the store gave up all it had.
            var large = hosts[3].Descriptor(revision: 1, blobLength: 20_000);
            Assert.True(large.Length + HsDirStore.EntryOverhead > 2 * entry);
            Assert.Equal(HsDirStoreResult.Full, store.Store(hosts[3].BlindedKey, large));
            Assert.Equal(0, store.Count);
            Assert.Equal(0, store.Bytes);
            Assert.Equal(other, quota.CacheBytes);

            // Once the other cache gives back its claim, the same descriptor fits.
            quota.ReleaseCache(other);
            Assert.Equal(HsDirStoreResult.Stored, store.Store(hosts[3].BlindedKey, large));
            Assert.Equal(store.Bytes, quota.CacheBytes);
        }
        finally
        {
            hosts.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public void FL08_The_registered_trimmer_frees_at_least_what_is_asked_closest_to_expiry_first()
    {
        var quota = Quota(memoryLimit: 16L * 1024 * 1024, cacheSharePercent: 20);
        var store = new HsDirStore(timeProvider: _time, memoryQuota: quota);
        var trimmer = Assert.Single(quota.Trimmers);
        var hosts = Enumerable.Range(0, 4).Select(_ => new Host()).ToList();
        try
        {
            int[] lifetimes = [400, 100, 300, 200];
            for (var i = 0; i < hosts.Count; i++)
            {
                Assert.Equal(HsDirStoreResult.Stored, store.Store(hosts[i].BlindedKey, hosts[i].Descriptor(revision: 1, lifetimeMinutes: lifetimes[i])));
            }

            var held = store.Bytes;
            var entry = held / 4;

            // A little more than one entry: the two closest to expiry (100 and 200 minutes) go.
            var freed = trimmer(entry + 1);
            Assert.True(freed >= entry + 1);
            Assert.Equal(held - freed, store.Bytes);
            Assert.Equal(store.Bytes, quota.CacheBytes);
            Assert.Equal(2, store.Count);
            Assert.False(store.TryFetch(hosts[1].BlindedKey, out _));
            Assert.False(store.TryFetch(hosts[3].BlindedKey, out _));
            Assert.True(store.TryFetch(hosts[0].BlindedKey, out _));
            Assert.True(store.TryFetch(hosts[2].BlindedKey, out _));

            // Asked for more than it holds, it gives back everything it has and says so.
            var rest = store.Bytes;
            Assert.Equal(rest, trimmer(10 * held));
            Assert.Equal(0, store.Count);
            Assert.Equal(0, quota.CacheBytes);
            Assert.Equal(0, trimmer(1));
        }
        finally
        {
            hosts.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public void Sweep_interval_out_of_range_names_the_option()
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => new HsDirStore(Options.Create(new HsDirStoreOptions { SweepInterval = TimeSpan.FromMilliseconds(10) })));
        Assert.Contains("HsDirStoreOptions.SweepInterval", error.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(
            () => new HsDirSweeper(new HsDirStore(), Options.Create(new HsDirStoreOptions { SweepInterval = TimeSpan.FromHours(2) }), _time));
    }

    [Fact]
    public void A_misplaced_upload_is_refused_with_its_own_status()
    {
        using var host = new Host();
        var relays = TestConsensus.Relays(60, HsDirFlags);
        var consensus = new SwappableConsensusSource { Value = TestConsensus.Build(s_start, relays) };
        var view = HsDirView.Create(consensus.Value);
        var key = host.PublicBlindedKey;
        // The host blinded its key for the period clients fetch in; the first HSDir it uploads to accepts it.
        Assert.Equal(TimePeriod.FromInstant(s_start), view.FetchPeriod);
        var holder = view.FetchRing.StoreTargets(key)[0];
        Assert.True(view.AcceptsUpload(holder.Id, key));
        var stranger = relays.First(r => !view.AcceptsUpload(r.Id, key));

        var misplaced = new HsDirStore(timeProvider: _time, assignment: new HsDirAssignment(new HsDirViewSource(consensus), stranger.Id));
        Assert.Equal(HsDirStoreResult.NotResponsible, misplaced.Store(host.BlindedKey, host.Descriptor(revision: 1)));
        Assert.Equal(0, misplaced.Count);

        var placed = new HsDirStore(timeProvider: _time, assignment: new HsDirAssignment(new HsDirViewSource(consensus), holder.Id));
        Assert.Equal(HsDirStoreResult.Stored, placed.Store(host.BlindedKey, host.Descriptor(revision: 1)));

        // A relay the consensus does not list on the ring holds nothing.
        using var outsider = RelayIdentityKey.Generate();
        var unlisted = new HsDirStore(timeProvider: _time, assignment: new HsDirAssignment(new HsDirViewSource(consensus), outsider.Id));
        Assert.Equal(HsDirStoreResult.NotResponsible, unlisted.Store(host.BlindedKey, host.Descriptor(revision: 1)));
    }

    [Fact]
    public void Without_a_usable_consensus_nothing_is_stored()
    {
        using var host = new Host();
        var consensus = new SwappableConsensusSource();
        var store = new HsDirStore(timeProvider: _time, assignment: new HsDirAssignment(new HsDirViewSource(consensus), TestConsensus.Relay(1, HsDirFlags).Id));
        Assert.Equal(HsDirStoreResult.NoConsensus, store.Store(host.BlindedKey, host.Descriptor(revision: 1)));

        consensus.Value = TestConsensus.Build(s_start, [TestConsensus.Relay(1, HsDirFlags)]);
        Assert.Equal(HsDirStoreResult.Stored, store.Store(host.BlindedKey, host.Descriptor(revision: 1)));
    }

    [Fact]
    public void Certificates_are_checked_at_the_consensus_valid_after_not_the_local_clock()
    {
        using var host = new Host();
        var self = TestConsensus.Relay(1, HsDirFlags);
        var consensus = new SwappableConsensusSource { Value = TestConsensus.Build(s_start, [self]) };
        var store = new HsDirStore(timeProvider: _time, assignment: new HsDirAssignment(new HsDirViewSource(consensus), self.Id));
        var expiresSoon = host.Descriptor(revision: 1, certificateExpires: s_start.AddHours(2));

        // The relay's clock runs three hours ahead; the network's time is still the consensus's 10:00.
        _time.Advance(TimeSpan.FromHours(3));
        Assert.Equal(HsDirStoreResult.Stored, store.Store(host.BlindedKey, expiresSoon));

        // And the other way round: a consensus from after the expiry refuses it while the local clock is still before.
        var behind = new FakeTimeProvider(s_start);
        var late = new SwappableConsensusSource { Value = TestConsensus.Build(s_start.AddHours(2), [self]) };
        var other = new HsDirStore(timeProvider: behind, assignment: new HsDirAssignment(new HsDirViewSource(late), self.Id));
        Assert.Equal(HsDirStoreResult.CertificateExpired, other.Store(host.BlindedKey, expiresSoon));
        Assert.Equal(HsDirStoreResult.Stored, other.Store(host.BlindedKey, host.Descriptor(revision: 2, certificateExpires: s_start.AddHours(3))));
    }

    [Fact]
    public void FL08_A_legitimate_descriptor_survives_ten_thousand_uploads_from_one_client()
    {
        // One HSDir on the ring, so every key is its own: the flood is as effective as it can be.
        var self = TestConsensus.Relay(1, HsDirFlags);
        var consensus = new SwappableConsensusSource { Value = TestConsensus.Build(s_start, [self]) };
        var store = new HsDirStore(
            Options.Create(new HsDirStoreOptions { MaxBytes = HsDirStoreOptions.MinMaxBytes }), _time,
            assignment: new HsDirAssignment(new HsDirViewSource(consensus), self.Id));
        using var legitimate = new Host();
        var document = legitimate.Descriptor(revision: 1);
        Assert.Equal(HsDirStoreResult.Stored, store.Store(legitimate.BlindedKey, document));

        // 100 blinded keys the client made, each uploaded 100 times with rising revisions and the longest lifetime: far
        // more than the store holds (about 90 such descriptors), so it evicts all the time.
        var flood = Enumerable.Range(0, 100).Select(_ => new Host()).ToList();
        try
        {
            // Signed beforehand, on every core: the uploads themselves come one after another, as from one client.
            var uploads = new byte[flood.Count][][];
            Parallel.For(0, flood.Count, i => uploads[i] = [.. Enumerable.Range(1, 100).Select(r => flood[i].Descriptor((ulong)r, lifetimeMinutes: 720, blobLength: 1500))]);
            var stored = 0;
            for (var revision = 1; revision <= 100; revision++)
            {
                for (var i = 0; i < flood.Count; i++)
                {
                    _time.Advance(TimeSpan.FromMilliseconds(100));
                    var result = store.Store(flood[i].BlindedKey, uploads[i][revision - 1]);
                    Assert.True(result is HsDirStoreResult.Stored or HsDirStoreResult.OldRevision, result.ToString());
                    stored += result == HsDirStoreResult.Stored ? 1 : 0;
                }

                Assert.True(store.TryFetch(legitimate.BlindedKey, out var held), $"evicted during round {revision}");
                Assert.Equal(document, held.ToArray());
            }

            Assert.Equal(10_000, stored);
            Assert.True(store.Count < flood.Count);
            Assert.True(store.RevisionFloors > 0);
        }
        finally
        {
            flood.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public void FL08_An_upload_flood_of_distinct_blinded_keys_stays_within_the_cache_share_and_held_descriptors_are_still_served()
    {
        // A relay with a 2 MiB limit: the caches' share (20 %) holds about 150 descriptors. One HSDir on the ring,
        // so every key is this relay's: the flood is as effective as it can be.
        var quota = Quota(memoryLimit: 2L * 1024 * 1024, cacheSharePercent: 20);
        var self = TestConsensus.Relay(1, HsDirFlags);
        var consensus = new SwappableConsensusSource { Value = TestConsensus.Build(s_start, [self]) };
        var store = new HsDirStore(
            Options.Create(new HsDirStoreOptions()), _time,
            memoryQuota: quota,
            assignment: new HsDirAssignment(new HsDirViewSource(consensus), self.Id));
        var legitimate = Enumerable.Range(0, 20).Select(_ => new Host()).ToList();
        var flood = new Host[1_000];
        try
        {
            var documents = legitimate.Select(h => h.Descriptor(revision: 1)).ToList();
            for (var i = 0; i < legitimate.Count; i++)
            {
                Assert.Equal(HsDirStoreResult.Stored, store.Store(legitimate[i].BlindedKey, documents[i]));
            }

            // 1,000 valid descriptors for distinct blinded keys (signed beforehand, on every core), then uploaded one
            // after another, 100 ms apart.
            var uploads = new byte[flood.Length][];
            Parallel.For(0, flood.Length, i =>
            {
                flood[i] = new Host();
                uploads[i] = flood[i].Descriptor(revision: 1, lifetimeMinutes: 720, blobLength: 1_500);
            });
            var lookups = new List<double>();
            var stored = 0;
            for (var i = 0; i < flood.Length; i++)
            {
                _time.Advance(TimeSpan.FromMilliseconds(100));
                stored += store.Store(flood[i].BlindedKey, uploads[i]) == HsDirStoreResult.Stored ? 1 : 0;
                Assert.True(quota.CacheBytes <= quota.CacheShare, $"cache {quota.CacheBytes} above its share {quota.CacheShare} after upload {i}");
                Assert.Equal(store.Bytes, quota.CacheBytes);
                if (i % 100 == 99)
                {
                    for (var j = 0; j < legitimate.Count; j++)
                    {
                        var started = System.Diagnostics.Stopwatch.GetTimestamp();
                        Assert.True(store.TryFetch(legitimate[j].BlindedKey, out var held), $"descriptor {j} lost after upload {i}");
                        lookups.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        Assert.Equal(documents[j], held.ToArray());
                    }
                }
            }

            lookups.Sort();
            output.WriteLine(
                $"FL-08: {stored} of {flood.Length} flood uploads stored (each evicting when full), {store.Count} held, " +
                $"cache {quota.CacheBytes} of its share {quota.CacheShare} bytes ({100.0 * quota.CacheBytes / quota.Limit:F1} % of the limit); " +
                $"lookup p99 {lookups[(int)(lookups.Count * 0.99)]:F3} ms over {lookups.Count}");
            Assert.True(store.Count < flood.Length / 4, $"{store.Count} held");
            Assert.Equal(flood.Length, stored);
        }
        finally
        {
            legitimate.ForEach(h => h.Dispose());
            foreach (var host in flood)
            {
                host?.Dispose();
            }
        }
    }

    [Fact]
    public void Revision_n_minus_1_is_refused_after_revision_n_was_evicted()
    {
        var store = new HsDirStore(Options.Create(new HsDirStoreOptions { MaxBytes = HsDirStoreOptions.MinMaxBytes }), _time);
        var hosts = Enumerable.Range(0, 5).Select(_ => new Host()).ToList();
        try
        {
            // Three large descriptors first, then the victim at revision 7: it arrived last, so it is the one evicted.
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HsDirStoreResult.Stored, store.Store(hosts[i].BlindedKey, hosts[i].Descriptor(revision: 1, blobLength: 33_000)));
            }

            var victim = hosts[3];
            var captured = victim.Descriptor(revision: 6, blobLength: 33_000);
            Assert.Equal(HsDirStoreResult.Stored, store.Store(victim.BlindedKey, victim.Descriptor(revision: 7, blobLength: 33_000)));
            Assert.Equal(HsDirStoreResult.Stored, store.Store(hosts[4].BlindedKey, hosts[4].Descriptor(revision: 1, blobLength: 33_000)));
            Assert.False(store.TryFetch(victim.BlindedKey, out _));
            Assert.Equal(1, store.RevisionFloors);

            // A captured older revision does not come back, nor does the same one; a newer one does.
            Assert.Equal(HsDirStoreResult.OldRevision, store.Store(victim.BlindedKey, captured));
            Assert.Equal(HsDirStoreResult.OldRevision, store.Store(victim.BlindedKey, victim.Descriptor(revision: 7, blobLength: 33_000)));
            Assert.Equal(HsDirStoreResult.Stored, store.Store(victim.BlindedKey, victim.Descriptor(revision: 8)));
            Assert.Equal(0, store.RevisionFloors);
        }
        finally
        {
            hosts.ForEach(h => h.Dispose());
        }
    }

    [Fact]
    public void A_floor_lasts_as_long_as_the_evicted_entry_would_have_and_trimming_leaves_one_too()
    {
        var quota = Quota(memoryLimit: 16L * 1024 * 1024, cacheSharePercent: 20);
        var store = new HsDirStore(timeProvider: _time, memoryQuota: quota);
        using var host = new Host();
        Assert.Equal(HsDirStoreResult.Stored, store.Store(host.BlindedKey, host.Descriptor(revision: 5, lifetimeMinutes: 60)));
        Assert.True(Assert.Single(quota.Trimmers)(1) > 0);
        Assert.Equal(0, store.Count);
        Assert.Equal(1, store.RevisionFloors);
        Assert.Equal(HsDirStoreResult.OldRevision, store.Store(host.BlindedKey, host.Descriptor(revision: 4, lifetimeMinutes: 60)));

        // Once the entry would have expired, the store is as it would have been: an older revision is accepted again.
        _time.Advance(TimeSpan.FromMinutes(60));
        store.RemoveExpired();
        Assert.Equal(0, store.RevisionFloors);
        Assert.Equal(HsDirStoreResult.Stored, store.Store(host.BlindedKey, host.Descriptor(revision: 4, lifetimeMinutes: 60)));
    }

    [Fact]
    public void Entries_the_ring_no_longer_assigns_here_are_evicted_before_the_ones_it_does()
    {
        var relays = TestConsensus.Relays(60, HsDirFlags);
        var self = relays[0];

        // First only this relay is an HSDir, and holds every key; then the whole ring is, and holds some of them.
        var alone = TestConsensus.Build(s_start, [self, .. relays[1..].Select(r => TestConsensus.Relay(relays.IndexOf(r) + 1, RelayFlags.Running))]);
        var everyone = TestConsensus.Build(s_start.AddHours(1), relays);
        var view = HsDirView.Create(everyone);
        var hosts = new List<Host>();
        try
        {
            Host Find(bool accepted)
            {
                while (true)
                {
                    var host = new Host();
                    hosts.Add(host);
                    if (view.AcceptsUpload(self.Id, host.PublicBlindedKey) == accepted)
                    {
                        return host;
                    }
                }
            }

            var moved = Find(accepted: false);
            var kept = Enumerable.Range(0, 3).Select(_ => Find(accepted: true)).ToList();
            var newcomer = Find(accepted: true);
            var consensus = new SwappableConsensusSource { Value = alone };
            var store = new HsDirStore(
                Options.Create(new HsDirStoreOptions { MaxBytes = HsDirStoreOptions.MinMaxBytes }), _time,
                assignment: new HsDirAssignment(new HsDirViewSource(consensus), self.Id));
            foreach (var host in (Host[])[moved, .. kept])
            {
                Assert.Equal(HsDirStoreResult.Stored, store.Store(host.BlindedKey, host.Descriptor(revision: 1, blobLength: 33_000)));
            }

            // Under the new consensus the oldest entry is no longer this relay's: it goes, not the newest one.
            consensus.Value = everyone;
            Assert.Equal(HsDirStoreResult.Stored, store.Store(newcomer.BlindedKey, newcomer.Descriptor(revision: 1, blobLength: 33_000)));
            Assert.False(store.TryFetch(moved.BlindedKey, out _));
            Assert.All(kept, h => Assert.True(store.TryFetch(h.BlindedKey, out _)));
            Assert.True(store.TryFetch(newcomer.BlindedKey, out _));
        }
        finally
        {
            hosts.ForEach(h => h.Dispose());
        }
    }

    /// <summary>A memory quota over no queued cells, so that <see cref="MemoryQuota.Used"/> is what caches claim.</summary>
    private static MemoryQuota Quota(long memoryLimit, int cacheSharePercent) =>
        new(new RelayLimitsOptions { MemoryLimit = memoryLimit, CacheSharePercent = cacheSharePercent, CacheTrimPercent = 0 }, () => 0);

    /// <summary>A hidden point for one period: its blinded key and a descriptor-signing key it certifies.</summary>
    private sealed class Host : IDisposable
    {
        private readonly HiddenPointIdentitySecretKey _identity = HiddenPointIdentitySecretKey.Generate();
        private readonly BlindedSigningKey _blinded;
        private readonly HsDescriptorSigningKey _signing = HsDescriptorSigningKey.Generate();
        private Ed25519Certificate? _certificate;

        public Host() => _blinded = KeyBlinding.BlindSigningKey(_identity, TimePeriod.FromInstant(s_start), KeyBlindingLabels.Hpc);

        public byte[] BlindedKey => _blinded.PublicKey.Bytes.ToArray();

        public BlindedPublicKey PublicBlindedKey => _blinded.PublicKey;

        public byte[] Descriptor(ulong revision, int lifetimeMinutes = 180, int blobLength = 500, DateTimeOffset? certificateExpires = null)
        {
            var blob = new byte[blobLength];
            new Random((int)revision).NextBytes(blob);
            return new HsDescriptorBuilder
            {
                LifetimeMinutes = lifetimeMinutes,
                RevisionCounter = revision,
                SigningKeyCertificate = certificateExpires is { } expires ? Certificate(expires) : _certificate ??= Certificate(s_start.AddHours(54)),
                Superencrypted = blob,
            }.Sign(_signing);
        }

        private Ed25519Certificate Certificate(DateTimeOffset expires) => Ed25519Certificate.Create(
            Ed25519CertificateType.DescriptorSigning, expires, Ed25519CertifiedKeyType.Ed25519, _signing.PublicKey.Bytes, _blinded);

        public void Dispose()
        {
            _identity.Dispose();
            _blinded.Dispose();
            _signing.Dispose();
        }
    }
}
