//! r7keys: a terminal console for Rapid7 Command Platform API keys.
pub mod api;
pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod keymap;
pub mod logging;
pub mod region;
pub mod sanitize;
pub mod simulator;
