//! The raw world the SDK sees: the environment, the config file on disk.

mod discovery;
pub mod dotenv;
mod env;
mod files;
mod secret_names;

pub use discovery::{ConfigChoice, Discovered, discover_config, sdk_search_order};
pub use env::{EnvError, EnvOrigin, EnvVar, EnvView, read_env_source};
pub use files::{CONFIG_SIZE_CAP, PEM_SIZE_CAP, ReadError, read_bounded};
pub use secret_names::{is_secret_name, may_hold_secret_name};
