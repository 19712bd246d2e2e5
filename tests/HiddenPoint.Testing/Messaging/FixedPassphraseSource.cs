using HiddenPoint.Client.Messaging.Storage;

namespace HiddenPoint.Testing.Messaging;

/// <summary>A passphrase given in the test, as a prompt would have read it.</summary>
public sealed class FixedPassphraseSource(string passphrase) : PassphraseSource
{
    /// <inheritdoc/>
    public override ValueTask<Passphrase> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Passphrase.FromText(passphrase));
}
