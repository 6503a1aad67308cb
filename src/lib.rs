//! r7keys: a terminal console for Rapid7 Command Platform API keys.
pub mod cli;
pub mod region;
pub mod simulator;
