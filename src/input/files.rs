//! Bounded reads of regular files only, so that a FIFO, a device such as
//! /dev/zero or a huge file can never hang or exhaust the tool.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::Path;

/// Largest config file read: far above any real config, far below harm.
pub const CONFIG_SIZE_CAP: u64 = 16 * 1024 * 1024;
/// Largest certificate or key file read (a long chain is a few dozen KiB).
pub const PEM_SIZE_CAP: u64 = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: no such file")]
    NotFound { path: String },
    #[error("{path}: is a {kind}, not a regular file")]
    NotRegular { path: String, kind: &'static str },
    #[error("{path}: file is {size} bytes, more than the {cap}-byte limit")]
    TooLarge { path: String, size: u64, cap: u64 },
    #[error("{path}: permission denied")]
    PermissionDenied { path: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl ReadError {
    pub fn path(&self) -> &str {
        match self {
            ReadError::NotFound { path }
            | ReadError::NotRegular { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::PermissionDenied { path }
            | ReadError::Io { path, .. } => path,
        }
    }

    fn from_io(path: &str, e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound {
                path: path.to_string(),
            },
            std::io::ErrorKind::PermissionDenied => ReadError::PermissionDenied {
                path: path.to_string(),
            },
            _ => ReadError::Io {
                path: path.to_string(),
                source: e,
            },
        }
    }
}

fn kind_name(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "FIFO (named pipe)";
        }
        if ft.is_char_device() {
            return "character device";
        }
        if ft.is_block_device() {
            return "block device";
        }
        if ft.is_socket() {
            return "socket";
        }
    }
    if ft.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: should a FIFO be swapped in after the type check, the
        // open still returns at once instead of waiting for a writer.
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads `path` if it is a regular file of at most `cap` bytes.
pub fn read_bounded(path: &str, cap: u64) -> Result<Vec<u8>, ReadError> {
    let p = Path::new(path);
    let meta = std::fs::metadata(p).map_err(|e| ReadError::from_io(path, e))?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            path: path.to_string(),
            kind: kind_name(meta.file_type()),
        });
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            path: path.to_string(),
            size: meta.len(),
            cap,
        });
    }
    let file = open_nonblocking(p).map_err(|e| ReadError::from_io(path, e))?;
    let meta = file.metadata().map_err(|e| ReadError::from_io(path, e))?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            path: path.to_string(),
            kind: kind_name(meta.file_type()),
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // Read one byte past the cap so a file that grew after the stat is caught.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::from_io(path, e))?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            path: path.to_string(),
            size: bytes.len() as u64,
            cap,
        });
    }
    Ok(bytes)
}
