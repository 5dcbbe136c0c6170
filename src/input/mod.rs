//! The raw world the SDK sees: the environment, the config file on disk.

mod discovery;
mod env;
mod files;

pub use discovery::{ConfigChoice, Discovered, discover_config, sdk_search_order};
pub use env::{EnvOrigin, EnvVar, EnvView, EnvError};
pub use files::{ReadError, read_bounded, CONFIG_SIZE_CAP, PEM_SIZE_CAP};
