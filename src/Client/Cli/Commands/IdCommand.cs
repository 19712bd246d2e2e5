using System.CommandLine;
using HiddenPoint.Client.Cli.Identity;
using HiddenPoint.Client.Cli.Output;
using HiddenPoint.Client.Identity;

namespace HiddenPoint.Client.Cli.Commands;

/// <summary>
/// <c>hpc-client id</c>: the hidden-id, its fingerprint (<see cref="IdentityFingerprint"/>) and a QR code of the
/// hidden-id. Reads only the identity file: no passphrase, no network.
/// </summary>
internal sealed class IdCommand() : CliVerb("id",
    "Show your hidden-id, a fingerprint to compare with your contacts out of band (read aloud, in person), and the " +
    "hidden-id as a QR code.")
{
    private readonly Option<bool> _noQr = new("--no-qr") { Description = "Leave out the QR code" };

    public override IReadOnlyList<VerbExample> Examples { get; } =
    [
        new("hpc-client id", "the hidden-id, its fingerprint and a QR code to scan"),
        new("hpc-client id --json | jq -r .hiddenId", "the hidden-id alone, for a script"),
    ];

    protected override void Define(Command command)
    {
        command.Options.Add(_noQr);
        AddJsonOption(command);
    }

    public override async Task RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var data = context.Configuration.Data;
        string hiddenId, fingerprint;
        using (var identity = HiddenPointIdentityStore.Load(data.IdentityFile))
        {
            var publicKey = identity.IdentityPublicKey;
            hiddenId = publicKey.ToHiddenId().ToString();
            fingerprint = IdentityFingerprint.Of(publicKey);
        }

        var output = context.Console.Output;
        if (Json(context))
        {
            await JsonOutput.WriteAsync(output, json =>
            {
                json.WriteStartObject();
                json.WriteString("hiddenId", hiddenId);
                json.WriteString("fingerprint", fingerprint);
                json.WriteString("dataDirectory", data.Path);
                json.WriteEndObject();
            }).ConfigureAwait(false);
            return;
        }

        await output.WriteLineAsync("hidden-id    " + hiddenId).ConfigureAwait(false);
        await output.WriteLineAsync("fingerprint  " + fingerprint).ConfigureAwait(false);
        if (!context.Parse.GetValue(_noQr))
        {
            await output.WriteLineAsync().ConfigureAwait(false);
            foreach (var line in HiddenIdQrCode.Draw(hiddenId))
            {
                await output.WriteLineAsync(line).ConfigureAwait(false);
            }
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
