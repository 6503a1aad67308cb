//! r7keys: a terminal console for Rapid7 Command Platform API keys.
pub mod api;
pub mod app;
pub mod cli;
pub mod clipboard;
pub mod commands;
pub mod config;
pub mod console;
pub mod fingerprint;
pub mod input;
pub mod inventory;
pub mod keymap;
#[cfg(test)]
mod layering;
pub mod logging;
pub mod present;
pub mod region;
pub mod runtime;
pub mod sanitize;
pub mod simulator;
pub mod terminal;
pub mod ui;
pub mod worker;
