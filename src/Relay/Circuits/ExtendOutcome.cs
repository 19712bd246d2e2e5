namespace HiddenPoint.Relay.Circuits;

/// <summary>
/// How an EXTEND2 ended (<see cref="CircuitExtender"/>). Anything but <see cref="Extended"/> closes the circuit:
/// HiddenPoint has no TRUNCATED. Counted in <c>hpc.relay.extends</c> by the tag <see cref="RelayEngineMetrics"/> gives
/// each value.
/// </summary>
internal enum ExtendOutcome
{
    /// <summary>The next relay answered CREATED2 and the client got EXTENDED2 (tag <c>ok</c>).</summary>
    Extended = 0,

    /// <summary>Not an ntor v3 handshake, or one too long for CREATE2 (<c>bad_handshake</c>).</summary>
    BadHandshake,

    /// <summary>This relay holds no usable consensus, so it knows no relay to extend to (<c>no_consensus</c>).</summary>
    NoConsensus,

    /// <summary>The identity is not in the consensus (<c>unknown_relay</c>).</summary>
    UnknownRelay,

    /// <summary>The identity is this relay's own (<c>self</c>).</summary>
    Self,

    /// <summary>
    /// No address in the link specifiers is one the consensus lists for the relay (<c>address_not_listed</c>). An
    /// address that can name no relay at all (0.0.0.0, ::, IPv4-mapped, zoned, port 0) is refused already by the
    /// decoder (<see cref="Malformed"/>), and again here as a value if one ever gets this far.
    /// </summary>
    AddressNotListed,

    /// <summary>The link or the CREATED2 did not come within <see cref="RelayEngineOptions.ExtendTimeout"/> (<c>timeout</c>).</summary>
    Timeout,

    /// <summary>The next relay could not be reached, or its link handshake failed (<c>connect_failed</c>).</summary>
    ConnectFailed,

    /// <summary>A new link would exceed <see cref="RelayEngineOptions.MaxLinks"/> (<c>too_many_links</c>).</summary>
    TooManyLinks,

    /// <summary>The engine is shutting down (<c>stopping</c>).</summary>
    Stopping,

    /// <summary>The link to the next relay carries as many circuits as it may (<c>link_full</c>).</summary>
    LinkFull,

    /// <summary>The link to the next relay closed before the CREATED2 (<c>link_closed</c>).</summary>
    LinkClosed,

    /// <summary>The next relay answered DESTROY (<c>refused</c>).</summary>
    Refused,

    /// <summary>The CREATED2 did not parse, or its reply cannot fit in EXTENDED2 (<c>bad_created2</c>).</summary>
    BadCreated2,

    /// <summary>The circuit closed while it was being extended (<c>circuit_closed</c>).</summary>
    CircuitClosed,

    /// <summary>A fault in this relay's own code, logged at Warning (<c>fault</c>).</summary>
    Fault,

    /// <summary>
    /// The EXTEND2 did not decode (<c>malformed</c>): its link specifiers name an address that can name no relay, or
    /// it breaks the format. The circuit closes with DESTROY (protocol).
    /// </summary>
    Malformed,
}
