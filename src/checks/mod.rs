//! The security checklist: one module per rule family over the resolved
//! settings. Checks build findings and never print.

pub mod registry;
