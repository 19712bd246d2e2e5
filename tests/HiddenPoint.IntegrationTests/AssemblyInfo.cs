// Each test starts a whole network of real sockets and background loops; run them one at a time so that a slow CI
// machine gives every network its full share of the cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
