//! The programs: what `main` hands over to, each a user of the engine and
//! the platform adaptors, none of them an adaptor itself.
//!
//! - [`bench`]: `why-threads bench`, the headless interleaved benchmark.
//!
//! The desktop game (`app::run`) and the command line (`shell::cli`) are
//! programs too; they join this folder once their rewrite has landed.

pub mod bench;
