//! The programs: what `main` hands over to, each a user of the engine and
//! the platform adaptors, none of them an adaptor itself.
//!
//! - [`bench`]: `why-threads bench`, the headless interleaved benchmark.
//!
//! The desktop game (`app::run`) and the servers (`serve`, `load`,
//! `degradation`) are programs too, each in its own top-level module.

pub mod bench;
