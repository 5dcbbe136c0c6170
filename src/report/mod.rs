//! Renderers: one per output format. They present findings and settings;
//! they never decide what is found.

pub mod check_out;
pub mod human;
pub mod resolve_out;

use crate::model::{Effective, SettingId, Settings};

pub const REDACTED: &str = "<redacted>";

/// What may be shown of the credentials.
#[derive(Debug, Clone, Copy)]
pub struct Secrets {
    pub show: bool,
}

impl Secrets {
    /// The displayed value of a setting, with the password redacted, and the
    /// user too when it equals the password.
    pub fn display(&self, settings: &Settings, id: SettingId) -> Effective {
        let value = settings.value(id).clone();
        if self.show {
            return value;
        }
        let password = settings.value(SettingId::BasicAuthPassword).as_str();
        match id {
            SettingId::BasicAuthPassword if password.is_some() => {
                Effective::Str(Some(REDACTED.into()))
            }
            SettingId::BasicAuthUser if password.is_some() && value.as_str() == password => {
                Effective::Str(Some(REDACTED.into()))
            }
            _ => value,
        }
    }
}
