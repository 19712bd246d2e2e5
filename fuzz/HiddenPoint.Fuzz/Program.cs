using HiddenPoint.Fuzz;

// hpc-fuzz: the fuzz harnesses' command line (docs/development.md, "Fuzzing").
//   list                          the harnesses, one a line
//   seed DIR [HARNESS]            writes the seed corpus into DIR/HARNESS/
//   afl HARNESS                   runs under afl-fuzz (SharpFuzz out-of-process mode)
//   libfuzzer HARNESS             runs under libFuzzer (SharpFuzz's libfuzzer-dotnet driver)
//   replay HARNESS FILE|DIR...    runs each input once and reports what escaped
return FuzzCommands.Run(args);
