using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using HiddenPoint.Crypto.Keys;
using HiddenPoint.DirectoryAuthority.Descriptors;
using HiddenPoint.Protocol.Documents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HiddenPoint.DirectoryAuthority.Hosting;

/// <summary>
/// The authority's HTTP API. Documents travel as their exact bytes (<c>text/plain</c>). Every endpoint that takes a
/// body reads it up to its own limit (<see cref="DirectoryLimits"/>) and only while fewer than its cap of requests,
/// in all and per source, are in progress; votes are refused from their first lines unless a configured authority
/// sends them for the pending period.
/// </summary>
internal static class DirectoryEndpoints
{
    private const string Text = "text/plain";

    public static void Map(IEndpointRouteBuilder app, AuthorityState state, DescriptorPersistence persistence)
    {
        var uploads = DirectoryLimits.DescriptorUploads();
        var listings = DirectoryLimits.DescriptorListings();
        var votes = DirectoryLimits.VoteUploads(state.Pinned.Count);
        var signatures = DirectoryLimits.SignatureUploads();
        var voteLimit = DirectoryLimits.VoteBody(state.Store.Options.MaxRelays);

        // One vote body per voter read at a time: a configured authority's published vote can be replayed by anyone.
        var votersReading = new ConcurrentDictionary<AuthorityId, byte>();

        app.MapPost("/hpc/descriptor", async (HttpContext context) =>
        {
            var source = Source(context);
            if (uploads.TryEnter(source, out var lease) is var refusal and not GateRefusal.None)
            {
                return Refused(context, refusal);
            }

            using (lease)
            {
                var (read, body) = await BoundedBody.ReadAllAsync(context, DirectoryLimits.DescriptorBody).ConfigureAwait(false);
                if (body is null)
                {
                    return Unread(context, read);
                }

                var result = state.SubmitDescriptor(body, source, persistence.Notify);
                return result.Rejection switch
                {
                    DescriptorRejection.None => Results.Text("accepted\n", Text),
                    DescriptorRejection.RateLimited => Results.Text(result.Rejection + "\n", Text, statusCode: StatusCodes.Status429TooManyRequests),
                    DescriptorRejection.Malformed => Results.Text(result.Rejection + ": " + result.ParseError + "\n", Text, statusCode: StatusCodes.Status400BadRequest),
                    _ => Results.Text(result.Rejection + "\n", Text, statusCode: StatusCodes.Status400BadRequest),
                };
            }
        });

        app.MapGet("/hpc/consensus", () => state.Consensus is { } document
            ? Results.Bytes(document, Text)
            : Results.Text("no consensus yet\n", Text, statusCode: StatusCodes.Status404NotFound));

        app.MapGet("/hpc/descriptors", async (HttpContext context) =>
        {
            if (listings.TryEnter(Source(context), out var lease) is var refusal and not GateRefusal.None)
            {
                await Refused(context, refusal).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            using (lease)
            {
                await WriteDescriptors(context, state.Store.Snapshot()).ConfigureAwait(false);
            }
        });

        app.MapPost("/hpc/vote", async (HttpContext context) =>
        {
            if (votes.TryEnter(Source(context), out var lease) is var refusal and not GateRefusal.None)
            {
                return Refused(context, refusal);
            }

            using (lease)
            {
                return await ReceiveVote(context, state, voteLimit, votersReading).ConfigureAwait(false);
            }
        });

        app.MapGet("/hpc/vote", () => state.OwnVote is { } vote
            ? Results.Bytes(vote, Text)
            : Results.Text("no vote yet\n", Text, statusCode: StatusCodes.Status404NotFound));

        app.MapPost("/hpc/signature", async (HttpContext context) =>
        {
            if (signatures.TryEnter(Source(context), out var lease) is var refusal and not GateRefusal.None)
            {
                return Refused(context, refusal);
            }

            using (lease)
            {
                var (read, body) = await BoundedBody.ReadAllAsync(context, DirectoryLimits.SignatureBody).ConfigureAwait(false);
                if (body is null)
                {
                    return Unread(context, read);
                }

                var result = state.AddSignature(body);
                return result == SignatureAcceptance.Accepted
                    ? Results.Text("accepted\n", Text)
                    : Results.Text(result + "\n", Text, statusCode: result == SignatureAcceptance.NoPendingConsensus ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest);
            }
        });

        app.MapGet("/hpc/signature", () => state.OwnSignatureLine is { } line
            ? Results.Bytes(line, Text)
            : Results.Text("no consensus computed yet\n", Text, statusCode: StatusCodes.Status404NotFound));
    }

    // Reads the vote's first lines, refuses it there unless a configured authority sends it for the pending period
    // (and it is not held yet), and only then reads the rest, up to the vote limit.
    private static async Task<IResult> ReceiveVote(HttpContext context, AuthorityState state, int limit, ConcurrentDictionary<AuthorityId, byte> votersReading)
    {
        if (BoundedBody.Open(context, limit) is not { } body)
        {
            return Unread(context, BodyRead.TooLarge);
        }

        var header = default(VoteHeader);
        var status = VoteHeaderStatus.NeedMoreBytes;
        var read = BodyRead.More;
        while (status == VoteHeaderStatus.NeedMoreBytes)
        {
            read = await body.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            if (read is BodyRead.TooLarge or BodyRead.Aborted)
            {
                return Unread(context, read);
            }

            status = VoteHeader.TryRead(body.Data, out header);
            if (status == VoteHeaderStatus.NeedMoreBytes && read == BodyRead.Complete)
            {
                status = VoteHeaderStatus.Malformed;
            }
        }

        if (status != VoteHeaderStatus.Read)
        {
            return Closing(context, VoteAnswer(VoteAcceptance.Malformed));
        }

        var admission = state.AdmitVote(header);
        if (admission != VoteAcceptance.Accepted)
        {
            return Closing(context, VoteAnswer(admission));
        }

        if (!votersReading.TryAdd(header.Voter, 0))
        {
            return Closing(context, Results.Text("Busy\n", Text, statusCode: StatusCodes.Status429TooManyRequests));
        }

        try
        {
            while (read == BodyRead.More)
            {
                read = await body.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            }

            if (read != BodyRead.Complete)
            {
                return Unread(context, read);
            }

            return VoteAnswer(state.AddVote(body.Data));
        }
        finally
        {
            votersReading.TryRemove(header.Voter, out _);
        }
    }

    private static IResult VoteAnswer(VoteAcceptance result) => result switch
    {
        VoteAcceptance.Accepted => Results.Text("accepted\n", Text),
        VoteAcceptance.AlreadyHeld => Results.Text("already held\n", Text),
        _ => Results.Text(result + "\n", Text, statusCode: result is VoteAcceptance.WrongPeriod or VoteAcceptance.Conflicting ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest),
    };

    // A body not read to its end: too large (413), or cut off by its sender (who is gone, so the answer is moot).
    private static IResult Unread(HttpContext context, BodyRead read) => Closing(context, read == BodyRead.TooLarge
        ? Results.Text("TooLarge\n", Text, statusCode: StatusCodes.Status413PayloadTooLarge)
        : Results.Text("Aborted\n", Text, statusCode: StatusCodes.Status400BadRequest));

    // Every held descriptor, one after another, written from the store's shared snapshot: no copy per request.
    private static async Task WriteDescriptors(HttpContext context, IReadOnlyList<StoredDescriptor> snapshot)
    {
        long length = 0;
        foreach (var stored in snapshot)
        {
            length += stored.Descriptor.Document.Length;
        }

        context.Response.ContentType = Text;
        context.Response.ContentLength = length;
        var writer = context.Response.BodyWriter;
        try
        {
            foreach (var stored in snapshot)
            {
                writer.Write(stored.Descriptor.Document.Span);
                if (writer.UnflushedBytes >= 64 * 1024)
                {
                    // Wait for the reader to take what is written: a slow reader holds 64 KiB here, not the listing.
                    var flushed = await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    if (flushed.IsCanceled || flushed.IsCompleted)
                    {
                        return;
                    }
                }
            }

            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The reader went away.
        }
    }

    private static IResult Refused(HttpContext context, GateRefusal refusal)
    {
        context.Response.Headers.RetryAfter = "1";
        return Closing(context, Results.Text("Busy\n", Text, statusCode: refusal == GateRefusal.Busy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status429TooManyRequests));
    }

    // The body of a refused request is not read; closing the connection after the answer means it is not drained
    // either, so the sender pays for what it sent and the authority reads none of it.
    private static IResult Closing(HttpContext context, IResult answer)
    {
        context.Response.Headers.Connection = "close";
        return answer;
    }

    private static IPAddress Source(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } remote ? (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote) : IPAddress.None;
}
