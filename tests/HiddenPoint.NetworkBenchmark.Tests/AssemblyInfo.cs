// The benchmark program runs only on Linux (setsid, kill(2), /proc), and so do its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
