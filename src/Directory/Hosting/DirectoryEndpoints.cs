using System.Net;
using HiddenPoint.DirectoryAuthority.Descriptors;
using HiddenPoint.Protocol.Documents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HiddenPoint.DirectoryAuthority.Hosting;

/// <summary>The authority's HTTP API. Documents travel as their exact bytes (<c>text/plain</c>).</summary>
internal static class DirectoryEndpoints
{
    private const string Text = "text/plain";

    public static void Map(IEndpointRouteBuilder app, AuthorityState state, DescriptorPersistence persistence)
    {
        app.MapPost("/hpc/descriptor", async (HttpContext context) =>
        {
            var body = await ReadBody(context.Request, state.Store.Options.MaxSize).ConfigureAwait(false);
            if (body is null)
            {
                return Results.Text(nameof(DescriptorRejection.TooLarge) + "\n", Text, statusCode: StatusCodes.Status413PayloadTooLarge);
            }

            var source = context.Connection.RemoteIpAddress is { } remote ? (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote) : IPAddress.None;
            var result = state.SubmitDescriptor(body, source, persistence.Notify);
            return result.Rejection switch
            {
                DescriptorRejection.None => Results.Text("accepted\n", Text),
                DescriptorRejection.RateLimited => Results.Text(result.Rejection + "\n", Text, statusCode: StatusCodes.Status429TooManyRequests),
                DescriptorRejection.Malformed => Results.Text(result.Rejection + ": " + result.ParseError + "\n", Text, statusCode: StatusCodes.Status400BadRequest),
                _ => Results.Text(result.Rejection + "\n", Text, statusCode: StatusCodes.Status400BadRequest),
            };
        });

        app.MapGet("/hpc/consensus", () => state.Consensus is { } document
            ? Results.Bytes(document, Text)
            : Results.Text("no consensus yet\n", Text, statusCode: StatusCodes.Status404NotFound));

        app.MapGet("/hpc/descriptors", () => Results.Bytes(state.AllDescriptors(), Text));

        app.MapPost("/hpc/vote", async (HttpContext context) =>
        {
            var body = await ReadBody(context.Request, NetworkStatus.MaxSize).ConfigureAwait(false);
            var result = body is null ? VoteAcceptance.Malformed : state.AddVote(body);
            return result == VoteAcceptance.Accepted
                ? Results.Text("accepted\n", Text)
                : Results.Text(result + "\n", Text, statusCode: result == VoteAcceptance.WrongPeriod ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest);
        });

        app.MapGet("/hpc/vote", () => state.OwnVote is { } vote
            ? Results.Bytes(vote, Text)
            : Results.Text("no vote yet\n", Text, statusCode: StatusCodes.Status404NotFound));

        app.MapPost("/hpc/signature", async (HttpContext context) =>
        {
            var body = await ReadBody(context.Request, 1024).ConfigureAwait(false);
            var result = body is null ? SignatureAcceptance.Malformed : state.AddSignature(body);
            return result == SignatureAcceptance.Accepted
                ? Results.Text("accepted\n", Text)
                : Results.Text(result + "\n", Text, statusCode: result == SignatureAcceptance.NoPendingConsensus ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest);
        });

        app.MapGet("/hpc/signature", () => state.OwnSignatureLine is { } line
            ? Results.Bytes(line, Text)
            : Results.Text("no consensus computed yet\n", Text, statusCode: StatusCodes.Status404NotFound));
    }

    // Reads at most limit bytes; null when the body is longer, so an oversized upload is never buffered whole.
    private static async Task<byte[]?> ReadBody(HttpRequest request, int limit)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
