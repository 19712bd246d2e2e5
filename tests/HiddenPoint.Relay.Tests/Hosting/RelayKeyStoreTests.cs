using HiddenPoint.Crypto.Keys;
using HiddenPoint.Relay.Hosting;
using HiddenPoint.Relay.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace HiddenPoint.Relay.Tests.Hosting;

public sealed class RelayKeyStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero));
    private readonly ListLogger<RelayKeyStore> _log = new();

    public void Dispose() => _folder.Dispose();

    private RelayKeyStore Open(Action<RelayOptions>? configure = null)
    {
        var options = HostingFixtures.Options(_folder.Path);
        configure?.Invoke(options);
        return new RelayKeyStore(Microsoft.Extensions.Options.Options.Create(options), _clock, _log);
    }

    [Fact]
    public void Missing_identity_refuses_to_start_and_makes_no_key()
    {
        var e = Assert.Throws<KeyFileException>(() => Open());
        Assert.Equal(KeyFileProblem.NotFound, e.Problem);
        Assert.False(File.Exists(_folder.File(RelayKeyStore.IdentityFileName)));
        Assert.False(File.Exists(_folder.File(RelayKeyStore.LinkKeyFileName)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hpc-key-file 1\nrole relay-identity\n")]
    [InlineData("not a key file at all")]
    public void Corrupt_identity_refuses_to_start_and_is_left_as_it_is(string contents)
    {
        using (HostingFixtures.WriteIdentity(_folder.Path))
        {
        }

        var path = _folder.File(RelayKeyStore.IdentityFileName);
        File.WriteAllText(path, contents);
        var e = Assert.Throws<KeyFileException>(() => Open());
        Assert.Equal(KeyFileProblem.Invalid, e.Problem);
        Assert.Equal(contents, File.ReadAllText(path));
        Assert.Contains("does not start rather than take a new identity", Program.IdentityProblem(e, _folder.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_with_a_flipped_secret_bit_refuses_to_start()
    {
        using (HostingFixtures.WriteIdentity(_folder.Path))
        {
        }

        var path = _folder.File(RelayKeyStore.IdentityFileName);
        var lines = File.ReadAllText(path).Split('\n');
        var secret = Convert.FromBase64String(lines[3]["secret ".Length..]);
        secret[5] ^= 1;
        lines[3] = "secret " + Convert.ToBase64String(secret);
        File.WriteAllText(path, string.Join('\n', lines));
        var e = Assert.Throws<KeyFileException>(() => Open());
        Assert.Equal(KeyFileError.PublicKeyMismatch, e.FormatError);
    }

    [Fact]
    public void Link_and_circuit_keys_are_made_owner_only_and_reloaded()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        LinkPublicKey link;
        CircuitHandshakePublicKey circuit;
        using (var store = Open())
        {
            Assert.Equal(identity.Id, store.Id);
            link = store.Current.LinkKey.Public;
            circuit = store.Current.CircuitHandshakeKey.Public;
            Assert.Null(store.Current.PreviousLinkKey);
            Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromDays(35), store.Current.LinkKeyExpires);
            Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromDays(35), store.Current.CircuitHandshakeKeyExpires);
        }

        foreach (var name in new[] { RelayKeyStore.LinkKeyFileName, RelayKeyStore.CircuitHandshakeKeyFileName })
        {
            if (OperatingSystem.IsWindows())
            {
                break;
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_folder.File(name)));
        }

        _clock.Advance(TimeSpan.FromDays(1));
        using var again = Open();
        Assert.Equal(link, again.Current.LinkKey.Public);
        Assert.Equal(circuit, again.Current.CircuitHandshakeKey.Public);

        // The schedule survives the restart: the expiry still counts from when the key was made.
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromDays(34), again.Current.LinkKeyExpires);
    }

    [Theory]
    [InlineData(RelayKeyStore.LinkKeyFileName, "")]
    [InlineData(RelayKeyStore.LinkKeyFileName, "hpc-key-file 1\nrole link\nalg")]
    [InlineData(RelayKeyStore.CircuitHandshakeKeyFileName, "")]
    [InlineData(RelayKeyStore.CircuitHandshakeKeyFileName, "garbage\n")]
    public void Corrupt_or_empty_link_and_circuit_keys_are_replaced(string file, string contents)
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        using (Open())
        {
        }

        File.WriteAllText(_folder.File(file), contents);
        using var store = Open();
        Assert.True(store.Current.LinkKey is not null && store.Current.CircuitHandshakeKey is not null);
        Assert.NotEqual(contents, File.ReadAllText(_folder.File(file)));
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains(file, StringComparison.Ordinal));

        // The replacement is a valid key file that the next start reads back.
        using var again = Open();
        Assert.Equal(store.Current.LinkKey.Public, again.Current.LinkKey.Public);
        Assert.Equal(store.Current.CircuitHandshakeKey.Public, again.Current.CircuitHandshakeKey.Public);
    }

    [Fact]
    public void A_key_of_the_wrong_role_is_replaced()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        using (var circuitKey = CircuitHandshakeKey.Generate())
        {
            KeyFile.Write(circuitKey, _folder.File(RelayKeyStore.LinkKeyFileName));
        }

        using var store = Open();
        using var reread = KeyFile.Read<LinkKey>(_folder.File(RelayKeyStore.LinkKeyFileName));
        Assert.Equal(store.Current.LinkKey.Public, reread.Public);
    }

    [Fact]
    public void A_rotation_that_cannot_write_its_key_files_keeps_the_current_keys_and_tries_again_later()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        using var store = Open(o =>
        {
            o.LinkKeyLifetime = TimeSpan.FromSeconds(100);
            o.LinkKeyOverlap = TimeSpan.FromDays(7);
        });
        var firstLink = store.Current.LinkKey.Public;
        var expires = store.Current.LinkKeyExpires;

        // A directory where the previous key's file goes: writing it fails as a full or broken disk would.
        var blocker = _folder.File(RelayKeyStore.PreviousLinkKeyFileName);
        Directory.CreateDirectory(Path.Combine(blocker, "occupied"));

        _clock.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(firstLink, store.Current.LinkKey.Public);
        Assert.Null(store.Current.PreviousLinkKey);
        var alarm = Assert.Single(_log.Lines, line => line.Level == LogLevel.Error && line.Id.Id == 104);

        // KY-01: the alarm comes the overlap (7 days) before the published key expires, and says when that is.
        Assert.Equal(TimeSpan.FromDays(7), expires - _clock.GetUtcNow());
        Assert.Contains(expires.ToString("u", System.Globalization.CultureInfo.InvariantCulture), alarm.Message, StringComparison.Ordinal);

        // Once the disk is usable again, the retry a minute later rotates.
        Directory.Delete(blocker, recursive: true);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.NotEqual(firstLink, store.Current.LinkKey.Public);
        Assert.Equal(firstLink, store.Current.PreviousLinkKey!.Public);
    }

    [Fact]
    public void Rotation_keeps_the_previous_key_for_the_overlap_then_drops_it_and_raises_the_event()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        using var store = Open(o =>
        {
            o.LinkKeyLifetime = TimeSpan.FromSeconds(100);
            o.LinkKeyOverlap = TimeSpan.FromSeconds(30);
            o.CircuitHandshakeKeyLifetime = TimeSpan.FromSeconds(200);
            o.CircuitHandshakeKeyOverlap = TimeSpan.FromSeconds(50);
        });
        var rotations = new List<RelayKeyRotation>();
        store.Rotated += (_, e) => rotations.Add(e);
        var firstLink = store.Current.LinkKey.Public;
        var firstCircuit = store.Current.CircuitHandshakeKey.Public;
        var start = _clock.GetUtcNow();

        _clock.Advance(TimeSpan.FromSeconds(99));
        Assert.Empty(rotations);
        Assert.Equal(firstLink, store.Current.LinkKey.Public);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var rotation = Assert.Single(rotations);
        Assert.True(rotation.LinkKeyRotated);
        Assert.False(rotation.CircuitHandshakeKeyRotated);
        Assert.Same(store.Current, rotation.Keys);
        Assert.NotEqual(firstLink, store.Current.LinkKey.Public);
        Assert.Equal(firstLink, store.Current.PreviousLinkKey!.Public);
        Assert.Equal(start + TimeSpan.FromSeconds(230), store.Current.LinkKeyExpires);
        Assert.True(File.Exists(_folder.File(RelayKeyStore.PreviousLinkKeyFileName)));

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(firstLink, store.Current.PreviousLinkKey!.Public);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(store.Current.PreviousLinkKey);
        Assert.False(File.Exists(_folder.File(RelayKeyStore.PreviousLinkKeyFileName)));
        Assert.Single(rotations);

        _clock.Advance(TimeSpan.FromSeconds(70));
        Assert.Equal(2, rotations.Count);
        Assert.True(rotations[1].CircuitHandshakeKeyRotated);
        Assert.Equal(firstCircuit, store.Current.PreviousCircuitHandshakeKey!.Public);
        Assert.NotEqual(firstCircuit, store.Current.CircuitHandshakeKey.Public);

        _clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Null(store.Current.PreviousCircuitHandshakeKey);
    }

    [Fact]
    public void A_restart_during_the_overlap_still_answers_the_previous_key_and_after_a_long_stop_rotates_at_once()
    {
        using var identity = HostingFixtures.WriteIdentity(_folder.Path);
        void Configure(RelayOptions o)
        {
            o.LinkKeyLifetime = TimeSpan.FromSeconds(100);
            o.LinkKeyOverlap = TimeSpan.FromSeconds(30);
        }

        LinkPublicKey first;
        LinkPublicKey second;
        using (var store = Open(Configure))
        {
            first = store.Current.LinkKey.Public;
            _clock.Advance(TimeSpan.FromSeconds(100));
            second = store.Current.LinkKey.Public;
        }

        _clock.Advance(TimeSpan.FromSeconds(10));
        using (var store = Open(Configure))
        {
            Assert.Equal(second, store.Current.LinkKey.Public);
            Assert.Equal(first, store.Current.PreviousLinkKey!.Public);
        }

        _clock.Advance(TimeSpan.FromSeconds(1000));
        using (var store = Open(Configure))
        {
            Assert.NotEqual(second, store.Current.LinkKey.Public);
            Assert.Equal(second, store.Current.PreviousLinkKey!.Public);
        }
    }
}
