using HiddenPoint.Fuzz;

// hpc-fuzz: the fuzz harnesses' command line (docs/development.md, "Fuzzing").
//   list                          the harnesses, one a line
//   seed DIR [HARNESS]            writes the seed corpus into DIR/HARNESS/
//   afl HARNESS                   runs under afl-fuzz (SharpFuzz out-of-process mode)
//   libfuzzer HARNESS             runs under libFuzzer (SharpFuzz's libfuzzer-dotnet driver)
//   replay HARNESS FILE|DIR...    runs each input once and reports what escaped
//   mutate HARNESS COUNT [DIR]    a quick in-process mutation loop over the seeds (failing inputs saved in DIR)
return FuzzCommands.Run(args);
