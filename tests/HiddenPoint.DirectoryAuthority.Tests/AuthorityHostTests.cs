using System.Net;
using System.Net.Sockets;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Hosting;
using HiddenPoint.DirectoryAuthority.Voting;
using HiddenPoint.Protocol.Documents;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static HiddenPoint.DirectoryAuthority.Tests.Fixtures;

namespace HiddenPoint.DirectoryAuthority.Tests;

public sealed class AuthorityHostTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hpc-directory-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private (string Folder, AuthorityId Id) NewAuthority(int n)
    {
        var folder = Path.Combine(_root, "auth" + n);
        using var key = AuthorityIdentityKey.Generate();
        KeyFile.Write(key, Path.Combine(folder, AuthorityState.KeyFileName));
        return (folder, key.Id);
    }

    [Fact]
    public void Options_problems_name_the_option()
    {
        var problems = DirectoryHost.Validate(new AuthorityOptions
        {
            Nickname = "bad name",
            Listen = "localhost:7000",
            VotingInterval = TimeSpan.FromMilliseconds(1500),
            Parameters = new() { ["CircuitWindow"] = 5 },
            Authorities = [new PeerAuthorityOptions { Nickname = "auth2", Address = "127.0.0.2:7000", Identity = "short" }],
        });
        Assert.Contains(problems, p => p.StartsWith("DataDirectory:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Nickname:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Listen:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("VotingInterval:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Parameters:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Authorities:0:Identity:", StringComparison.Ordinal));
        Assert.Equal(6, problems.Count);
    }

    [Fact]
    public void Reachability_and_flush_options_are_checked()
    {
        var problems = DirectoryHost.Validate(new AuthorityOptions
        {
            DataDirectory = "/tmp/x",
            Nickname = "auth1",
            Listen = "127.0.0.1:7000",
            ReachabilityTimeout = TimeSpan.FromMilliseconds(10),
            ReachabilityParallelism = 0,
            DescriptorFlushDelay = TimeSpan.FromMinutes(2),
        });
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("ReachabilityTimeout:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("ReachabilityParallelism:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("DescriptorFlushDelay:", StringComparison.Ordinal));
        var defaults = new AuthorityOptions();
        Assert.True(defaults.ReachabilityTesting);
    }

    [Fact]
    public void Options_come_from_json_then_environment_then_command_line()
    {
        Directory.CreateDirectory(_root);
        var file = Path.Combine(_root, "directory.json");
        File.WriteAllText(file, """{ "Nickname": "fromjson", "Listen": "127.0.0.1:7000", "VotingInterval": "00:00:10", "Authorities": [ { "Nickname": "auth2" } ] }""");
        var options = DirectoryHost.ReadOptions(file, ["--Listen", "127.0.0.1:7001", "--Parameters:CircuitWindow", "500"]);
        Assert.Equal("fromjson", options.Nickname);
        Assert.Equal("127.0.0.1:7001", options.Listen);
        Assert.Equal(TimeSpan.FromSeconds(10), options.VotingInterval);
        Assert.Equal(500, options.Parameters["CircuitWindow"]);
        Assert.Equal("auth2", Assert.Single(options.Authorities).Nickname);
    }

    [Fact]
    public async Task A_configuration_file_that_is_not_json_is_reported_not_thrown()
    {
        // Found by the directory-config fuzz harness: the JSON provider reports a file that is not JSON as
        // InvalidDataException, which the program did not catch, so hpc-directory died with a stack trace.
        Directory.CreateDirectory(_root);
        var file = Path.Combine(_root, "broken.json");
        File.WriteAllText(file, "{ \"Nickname\": ");
        Assert.Throws<InvalidDataException>(() => DirectoryHost.ReadOptions(file, []));

        // The program names the problem and exits 2, as for any other configuration it cannot read.
        Assert.Equal(2, await Program.Main(["run", "--config", file]));
    }

    [Fact]
    public void State_survives_a_restart()
    {
        var (folder, id) = NewAuthority(1);
        var clock = new FakeTimeProvider(Start);
        var options = new AuthorityOptions { DataDirectory = folder, Nickname = "auth1", Listen = "127.0.0.1:7000", Testnet = true };
        byte[] published;
        using (var state = new AuthorityState(options, clock))
        {
            Assert.True(state.Store.Submit(Descriptor(1, Start), IPAddress.Loopback).IsAccepted);
            clock.SetUtcNow(Start.AddMinutes(50));
            state.BeginPeriod(VotingPeriod.Next(clock.GetUtcNow(), TimeSpan.FromHours(1)));
            Assert.NotNull(state.ComputeConsensus().Body);
            published = state.TryPublish()!;
            Assert.NotNull(published);
            state.SaveDescriptors();
        }

        using var restarted = new AuthorityState(options, clock);
        Assert.Equal(id, restarted.Self.Id);
        Assert.Equal(published, restarted.Consensus);
        var held = Assert.Single(restarted.Store.Snapshot());
        Assert.Equal(Start, held.FirstSeen);
        Assert.Equal(Relay(1).Id, held.Descriptor.Identity);
    }

    [Fact]
    public void A_signature_not_over_this_body_is_refused()
    {
        var (folder, _) = NewAuthority(1);
        var clock = new FakeTimeProvider(Start.AddMinutes(50));
        using var state = new AuthorityState(new AuthorityOptions { DataDirectory = folder, Nickname = "auth1", Listen = "127.0.0.1:7000" }, clock);
        Assert.Equal(SignatureAcceptance.NoPendingConsensus, state.AddSignature("directory-signature x y\n"u8));
        state.BeginPeriod(VotingPeriod.Next(clock.GetUtcNow(), TimeSpan.FromHours(1)));
        state.ComputeConsensus();
        Assert.Equal(SignatureAcceptance.Malformed, state.AddSignature("directory-signature x y\n"u8));
        Assert.Equal(SignatureAcceptance.Malformed, state.AddSignature("hello\n"u8));
        using var stranger = AuthorityIdentityKey.Generate();
        var line = System.Text.Encoding.ASCII.GetString(state.OwnSignatureLine!).Replace(state.Self.Id.ToString(), stranger.Id.ToString(), StringComparison.Ordinal);
        Assert.Equal(SignatureAcceptance.BadSignature, state.AddSignature(System.Text.Encoding.ASCII.GetBytes(line)));
        Assert.Equal(VoteAcceptance.Malformed, state.AddVote("hpc-vote 1\n"u8));
    }

    [Fact]
    public async Task The_HTTP_API_answers_refusals_with_their_reasons()
    {
        var (folder, _) = NewAuthority(1);
        var port = LoopbackPorts.Unused();
        var app = DirectoryHost.Build(
            new AuthorityOptions { DataDirectory = folder, Nickname = "auth1", Listen = "127.0.0.1:" + port, UploadsPerWindow = 1 },
            new FakeTimeProvider(Start.AddMinutes(1)), // the first vote is due at 08:30 on this clock: no round runs

            logging => logging.ClearProviders());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await app.StartAsync().ConfigureAwait(true);
        try
        {
            async Task<(HttpStatusCode Status, string Body)> Send(HttpMethod method, string path, byte[]? body = null)
            {
                using var request = new HttpRequestMessage(method, new Uri($"http://127.0.0.1:{port}{path}"));
                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body);
                }

                using var response = await http.SendAsync(request).ConfigureAwait(true);
                return (response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(true));
            }

            Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/hpc/consensus").ConfigureAwait(true)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/hpc/vote").ConfigureAwait(true)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/hpc/signature").ConfigureAwait(true)).Status);
            Assert.Equal((HttpStatusCode.BadRequest, "Malformed\n"), await Send(HttpMethod.Post, "/hpc/vote", "hpc-vote 1\n"u8.ToArray()).ConfigureAwait(true));
            Assert.Equal((HttpStatusCode.Conflict, "NoPendingConsensus\n"), await Send(HttpMethod.Post, "/hpc/signature", "directory-signature a b\n"u8.ToArray()).ConfigureAwait(true));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Send(HttpMethod.Post, "/hpc/descriptor", new byte[RelayDescriptor.MaxSize + 1]).ConfigureAwait(true)).Status);
            var malformed = await Send(HttpMethod.Post, "/hpc/descriptor", "x\n"u8.ToArray()).ConfigureAwait(true);
            Assert.Equal(HttpStatusCode.BadRequest, malformed.Status);
            Assert.StartsWith("Malformed: ", malformed.Body, StringComparison.Ordinal);
            Assert.Equal((HttpStatusCode.TooManyRequests, "RateLimited\n"), await Send(HttpMethod.Post, "/hpc/descriptor", Descriptor(1, Start)).ConfigureAwait(true));
            Assert.Equal((HttpStatusCode.OK, ""), await Send(HttpMethod.Get, "/hpc/descriptors").ConfigureAwait(true));
        }
        finally
        {
            await app.StopAsync().ConfigureAwait(true);
            await app.DisposeAsync().ConfigureAwait(true);
        }
    }

    [Fact]
    public void An_accepted_descriptor_marks_the_state_for_saving()
    {
        var (folder, _) = NewAuthority(1);
        var clock = new FakeTimeProvider(Start);
        using var state = new AuthorityState(new AuthorityOptions { DataDirectory = folder, Nickname = "auth1", Listen = "127.0.0.1:7000" }, clock);
        var signals = 0;
        Assert.False(state.DescriptorsDirty);
        Assert.False(state.SubmitDescriptor("junk\n"u8, IPAddress.Loopback, () => signals++).IsAccepted);
        Assert.False(state.DescriptorsDirty);
        Assert.True(state.SubmitDescriptor(Descriptor(1, Start), IPAddress.Loopback, () => signals++).IsAccepted);
        Assert.Equal(1, signals);
        Assert.True(state.DescriptorsDirty);
        Assert.True(state.SaveDescriptorsIfDirty());
        Assert.False(state.DescriptorsDirty);
        Assert.False(state.SaveDescriptorsIfDirty());
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Fact]
    public async Task A_restart_right_after_an_upload_still_has_the_descriptor()
    {
        var (folder, _) = NewAuthority(1);
        var port = LoopbackPorts.Unused();
        var options = new AuthorityOptions
        {
            DataDirectory = folder,
            Nickname = "auth1",
            Listen = "127.0.0.1:" + port,
            DescriptorFlushDelay = TimeSpan.FromMilliseconds(200),
        };
        var clock = new FakeTimeProvider(Start.AddMinutes(1)); // the first vote is due at 08:30 on this clock: no round runs
        var app = DirectoryHost.Build(options, clock, logging => logging.ClearProviders());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await app.StartAsync().ConfigureAwait(true);
        try
        {
            var state = app.Services.GetRequiredService<AuthorityState>();
            var saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            state.DescriptorsSaved += (_, _) => saved.TrySetResult();
            using var content = new ByteArrayContent(Descriptor(1, Start));
            using var response = await http.PostAsync(new Uri($"http://127.0.0.1:{port}/hpc/descriptor"), content).ConfigureAwait(true);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            // The flush waits DescriptorFlushDelay on the authority's clock: move the clock on until it has saved.
            await Eventually.TrueAsync(
                () =>
                {
                    clock.Advance(options.DescriptorFlushDelay);
                    return saved.Task.IsCompleted;
                },
                "the descriptors saved after the flush delay").ConfigureAwait(true);
            await saved.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(true);

            // The process is still running (no round, no shutdown has saved anything): what a crash now would leave
            // on disk already holds the descriptor.
            using var afterCrash = new AuthorityState(options, clock);
            var held = Assert.Single(afterCrash.Store.Snapshot());
            Assert.Equal(Relay(1).Id, held.Descriptor.Identity);
        }
        finally
        {
            await app.StopAsync().ConfigureAwait(true);
            await app.DisposeAsync().ConfigureAwait(true);
        }
    }
}
