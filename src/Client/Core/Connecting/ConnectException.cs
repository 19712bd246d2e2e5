using HiddenPoint.Crypto.HiddenPoints;
using HiddenPoint.Protocol.HiddenPoints;

namespace HiddenPoint.Client.Connecting;

/// <summary>The step of a connect that failed, in the order they run.</summary>
public enum ConnectStep
{
    /// <summary>Reading the hidden-id.</summary>
    ParseHiddenId = 1,

    /// <summary>Finding the consensus (the HSDir ring, the relays).</summary>
    Consensus,

    /// <summary>Fetching the descriptor from the HSDirs.</summary>
    FetchDescriptor,

    /// <summary>Getting a rendezvous circuit and RENDEZVOUS_ESTABLISHED.</summary>
    EstablishRendezvous,

    /// <summary>INTRODUCE1 through the introduction points.</summary>
    Introduce,

    /// <summary>Waiting for the host at the rendezvous point (RENDEZVOUS2) and completing hs_ntor.</summary>
    Rendezvous,
}

/// <summary>Why a connect failed (docs/client.md §7 says what a user can do about each).</summary>
public enum ConnectFailure
{
    /// <summary>The hidden-id is not one (<see cref="ConnectException.HiddenIdError"/> says how).</summary>
    MalformedHiddenId = 1,

    /// <summary>No usable consensus: the client has not bootstrapped, or its consensus expired.</summary>
    NoConsensus,

    /// <summary>Every HSDir that answered has no descriptor: the hidden point does not exist or has not published.</summary>
    HiddenPointUnknown,

    /// <summary>No responsible HSDir could be reached or answered.</summary>
    HsDirsUnreachable,

    /// <summary>The only descriptors found do not verify or decrypt (<see cref="ConnectException.DescriptorError"/>).</summary>
    DescriptorInvalid,

    /// <summary>No rendezvous point could be set up.</summary>
    RendezvousPointUnreachable,

    /// <summary>No introduction point of the descriptor could be reached.</summary>
    NoReachableIntroductionPoint,

    /// <summary>Introduction points were reached but none delivered the introduction: the host is offline.</summary>
    Offline,

    /// <summary>An introduction was delivered but the host did not answer at the rendezvous point in time.</summary>
    RendezvousTimeout,

    /// <summary>The host's answer at the rendezvous point did not complete hs_ntor, or the circuit closed.</summary>
    RendezvousFailed,

    /// <summary>The whole connect took longer than <see cref="ConnectOptions.ConnectTimeout"/>.</summary>
    TimedOut,
}

/// <summary>A connect to a hidden point failed: <see cref="Step"/> and <see cref="Failure"/> say where and why. The message names no hidden-id or relay.</summary>
public sealed class ConnectException : Exception
{
    /// <summary>A failed connect.</summary>
    public ConnectException(ConnectStep step, ConnectFailure failure, Exception? innerException = null)
        : base($"Connecting to the hidden point failed at {step}: {failure}.", innerException)
    {
        Step = step;
        Failure = failure;
    }

    /// <summary>An unspecified connect failure.</summary>
    public ConnectException()
    {
    }

    /// <summary>A connect failure with a message.</summary>
    public ConnectException(string message)
        : base(message)
    {
    }

    /// <summary>A connect failure with a message and its cause.</summary>
    public ConnectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The step that failed.</summary>
    public ConnectStep Step { get; }

    /// <summary>Why.</summary>
    public ConnectFailure Failure { get; }

    /// <summary>For <see cref="ConnectFailure.MalformedHiddenId"/>: what is wrong with it.</summary>
    public HiddenIdError HiddenIdError { get; init; }

    /// <summary>For <see cref="ConnectFailure.DescriptorInvalid"/>: the last descriptor's error.</summary>
    public HsDescriptorError? DescriptorError { get; init; }
}
