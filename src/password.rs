//! Credential generation from the OS CSPRNG.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The SDK's own generated password: `secrets.token_urlsafe(32)`.
pub const DEFAULT_BYTES: usize = 32;
/// Below this much entropy a password is refused.
pub const MIN_ENTROPY_BITS: usize = 128;
const MAX_BYTES: usize = 4096;
const MAX_LENGTH: usize = 4096;
/// 64 symbols, so a random byte masked to 6 bits picks one without bias.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error(
        "{bits} bits of entropy is too little: swml-sec generates at least {MIN_ENTROPY_BITS} bits (--bytes 16 or --length 22)"
    )]
    TooWeak { bits: usize },
    #[error("{what} must be at most {max}")]
    TooLarge { what: &'static str, max: usize },
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// This many random bytes as URL-safe base64 without padding.
    Bytes(usize),
    /// Exactly this many characters from the URL-safe alphabet.
    Length(usize),
}

impl Shape {
    pub fn entropy_bits(self) -> usize {
        match self {
            Shape::Bytes(n) => n * 8,
            Shape::Length(n) => n * 6,
        }
    }

    pub fn validate(self) -> Result<(), PasswordError> {
        match self {
            Shape::Bytes(n) if n > MAX_BYTES => {
                return Err(PasswordError::TooLarge {
                    what: "--bytes",
                    max: MAX_BYTES,
                });
            }
            Shape::Length(n) if n > MAX_LENGTH => {
                return Err(PasswordError::TooLarge {
                    what: "--length",
                    max: MAX_LENGTH,
                });
            }
            _ => {}
        }
        let bits = self.entropy_bits();
        if bits < MIN_ENTROPY_BITS {
            return Err(PasswordError::TooWeak { bits });
        }
        Ok(())
    }
}

fn random_bytes(n: usize) -> Result<Vec<u8>, PasswordError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| PasswordError::Random(e.to_string()))?;
    Ok(buf)
}

pub fn generate(shape: Shape) -> Result<String, PasswordError> {
    shape.validate()?;
    match shape {
        Shape::Bytes(n) => Ok(URL_SAFE_NO_PAD.encode(random_bytes(n)?)),
        Shape::Length(n) => Ok(random_bytes(n)?
            .into_iter()
            .map(|b| ALPHABET[usize::from(b & 63)] as char)
            .collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_has_the_sdks_shape() {
        let p = generate(Shape::Bytes(DEFAULT_BYTES)).unwrap();
        assert_eq!(p.len(), 43);
        assert!(p.bytes().all(|b| ALPHABET.contains(&b)));
    }

    #[test]
    fn length_is_exact_and_refuses_weak() {
        assert_eq!(generate(Shape::Length(30)).unwrap().len(), 30);
        assert!(generate(Shape::Length(21)).is_err());
        assert!(generate(Shape::Length(22)).is_ok());
        assert!(generate(Shape::Bytes(15)).is_err());
    }

    #[test]
    fn characters_are_spread_over_the_whole_alphabet() {
        let p = generate(Shape::Length(4096)).unwrap();
        let distinct: std::collections::HashSet<char> = p.chars().collect();
        assert_eq!(distinct.len(), 64);
    }
}
