using HiddenPoint.Client.Diagnostics;
using HiddenPoint.Protocol.Documents;
using Microsoft.Extensions.Options;

namespace HiddenPoint.Client.Directory;

/// <summary>One directory authority the client trusts (section <c>Client:Directory:Authorities</c>).</summary>
public sealed class ClientAuthorityOptions
{
    /// <summary>Its nickname, for messages.</summary>
    public string Nickname { get; set; } = "";

    /// <summary>Where it serves the directory over HTTP, <c>a.b.c.d:port</c> or <c>[v6]:port</c>.</summary>
    public string Address { get; set; } = "";

    /// <summary>Its pinned identity: the unpadded base64 Ed25519 key <c>hpc-directory keygen</c> printed.</summary>
    public string Identity { get; set; } = "";
}

/// <summary>How the client gets and keeps its consensus (section <c>Client:Directory</c>; docs/client.md §1).</summary>
public sealed class ClientDirectoryOptions
{
    /// <summary>The cache file's name in the data directory.</summary>
    public const string CacheFileName = "cached-consensus";

    /// <summary>The authorities (at least one). A consensus counts only with valid signatures from more than half of them.</summary>
    public List<ClientAuthorityOptions> Authorities { get; set; } = [];

    /// <summary>The longest one download from an authority may take. Default 10 s; range 100 ms to 5 min.</summary>
    public TimeSpan AuthorityRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest one fetch through the guard (circuit, request and body) may take. Default 10 s; range
    /// 100 ms to 5 min.</summary>
    public TimeSpan CacheRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait after a round in which no source gave a consensus; doubles with each such round up to
    /// <see cref="RetryMax"/>. Default 2 s; range 10 ms to 1 h.</summary>
    public TimeSpan RetryInitial { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between failed rounds. Default 5 min; range <see cref="RetryInitial"/> to 1 day.</summary>
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A refresh is never further away than this, whatever the consensus times say. Default 1 h; range 1 s to 1 day.</summary>
    public TimeSpan MaxRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Throws <see cref="OptionsValidationException"/> when a value is out of range.</summary>
    public void Validate()
    {
        var result = new ClientDirectoryOptionsValidator().Validate(null, this);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(ClientDirectoryOptions), typeof(ClientDirectoryOptions), result.Failures);
        }
    }
}

/// <summary>Checks <see cref="ClientDirectoryOptions"/>; each message names the option to change.</summary>
public sealed class ClientDirectoryOptionsValidator : IValidateOptions<ClientDirectoryOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ClientDirectoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Authorities is null || options.Authorities.Count == 0)
        {
            failures.Add("Authorities must list at least one directory authority (Nickname, Address, Identity).");
        }
        else
        {
            for (var i = 0; i < options.Authorities.Count; i++)
            {
                var authority = options.Authorities[i];
                if (authority is null || !RelayAddress.TryParse(authority.Address, out _))
                {
                    failures.Add($"Authorities:{i}:Address must be a.b.c.d:port or [v6]:port.");
                }

                if (authority is null || !AuthorityIds.TryParse(authority.Identity, out _))
                {
                    failures.Add($"Authorities:{i}:Identity must be the authority's unpadded base64 Ed25519 key (43 characters).");
                }
            }
        }

        OptionRange.Check(failures, nameof(options.AuthorityRequestTimeout), options.AuthorityRequestTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        OptionRange.Check(failures, nameof(options.CacheRequestTimeout), options.CacheRequestTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        OptionRange.Check(failures, nameof(options.RetryInitial), options.RetryInitial, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        OptionRange.Check(failures, nameof(options.RetryMax), options.RetryMax, options.RetryInitial, TimeSpan.FromDays(1));
        OptionRange.Check(failures, nameof(options.MaxRefreshInterval), options.MaxRefreshInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
