//! swml-sec: tells what a SignalWire AI Agents SDK service will really run
//! with, and whether that is safe to ship.

pub mod checks;
pub mod cli;
pub mod commands;
pub mod expand;
pub mod finding;
pub mod input;
pub mod json;
pub mod model;
pub mod password;
pub mod policy;
pub mod probe;
pub mod py;
mod pyunicode_tables;
pub mod report;
pub mod resolve;
pub mod schema;
pub mod service;
pub mod severity;
pub mod stage;
