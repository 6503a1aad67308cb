//! r7keys: a terminal console for Rapid7 Command Platform API keys.
pub mod api;
pub mod cli;
pub mod config;
pub mod region;
pub mod sanitize;
pub mod simulator;
