using HiddenPoint.Client.Circuits;
using HiddenPoint.Client.Connecting;
using HiddenPoint.Client.Directory;
using HiddenPoint.Client.Guards;
using HiddenPoint.Client.Hosting;
using HiddenPoint.Client.Paths;
using HiddenPoint.Network.Circuits;
using HiddenPoint.Network.Links;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client;

/// <summary>
/// Everything the client core is configured with (section <c>Client</c>; docs/client.md lists each option with its
/// default). Each part is validated by its own validator when <see cref="ClientCore.Create"/> builds the core.
/// </summary>
public sealed class ClientCoreOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Client";

    /// <summary>The folder of the client's state: <c>cached-consensus</c> and <c>guards.json</c> (required). Created,
    /// readable by its owner only, when missing.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>The authorities and the consensus schedule (<c>Client:Directory</c>).</summary>
    public ClientDirectoryOptions Directory { get; set; } = new();

    /// <summary>The path rules (<c>Client:Paths</c>).</summary>
    public PathOptions Paths { get; set; } = new();

    /// <summary>Guards and vanguards (<c>Client:Guards</c>).</summary>
    public GuardOptions Guards { get; set; } = new();

    /// <summary>The circuit builder and its pool (<c>Client:Circuits</c>).</summary>
    public CircuitBuilderOptions Circuits { get; set; } = new();

    /// <summary>Each link's limits and timers (<c>Client:Link</c>; network.md §2).</summary>
    public LinkOptions Link { get; set; } = new();

    /// <summary>The link manager's limits (<c>Client:LinkManager</c>; network.md §2).</summary>
    public LinkManagerOptions LinkManager { get; set; } = new();

    /// <summary>Each circuit's limits (<c>Client:Circuit</c>; network.md §4).</summary>
    public CircuitOptions Circuit { get; set; } = new();

    /// <summary>Keeping the user's hidden point online (<c>Client:Hosting</c>; client.md §4).</summary>
    public HostingOptions Hosting { get; set; } = new();

    /// <summary>Connecting to hidden points (<c>Client:Connect</c>; client.md §5).</summary>
    public ConnectOptions Connect { get; set; } = new();

    /// <summary>Throws <see cref="OptionsValidationException"/> when a value is out of range; the message names it.</summary>
    public void Validate()
    {
        var result = new ClientCoreOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(ClientCoreOptions), typeof(ClientCoreOptions), result.Failures);
        }
    }
}

/// <summary>Checks <see cref="ClientCoreOptions"/> and every part of it; each message names the option.</summary>
public sealed class ClientCoreOptionsValidator : IValidateOptions<ClientCoreOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ClientCoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("DataDirectory must name the folder of the client's state.");
        }

        Add(failures, "Directory:", new ClientDirectoryOptionsValidator().Validate(name, options.Directory));
        Add(failures, "Paths:", new PathOptionsValidator().Validate(name, options.Paths));
        Add(failures, "Guards:", new GuardOptionsValidator().Validate(name, options.Guards));
        Add(failures, "Circuits:", new CircuitBuilderOptionsValidator().Validate(name, options.Circuits));
        Add(failures, "Link:", new LinkOptionsValidator().Validate(name, options.Link));
        Add(failures, "Hosting:", new HostingOptionsValidator().Validate(name, options.Hosting));
        Add(failures, "Connect:", new ConnectOptionsValidator().Validate(name, options.Connect));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Add(List<string> failures, string prefix, ValidateOptionsResult result)
    {
        if (result.Failed)
        {
            failures.AddRange(result.Failures.Select(f => prefix + f));
        }
    }
}
