//! The `motcua` binary as an operator runs it, in one test binary: the calendar commands and
//! crash safety of the server under SIGKILL.

mod cli;
mod crash;
