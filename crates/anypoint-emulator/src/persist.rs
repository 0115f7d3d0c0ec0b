//! The state file: load at start, atomic replacement after every mutation.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use super::state::Snapshot;

/// Read the state file; `Ok(None)` if it does not exist. A file that exists
/// but cannot be parsed is an error (it is never silently replaced).
pub(crate) fn load(path: &Path) -> io::Result<Option<Snapshot>> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(io::Error::new(
                e.kind(),
                format!("cannot read state file {}: {e}", path.display()),
            ))
        }
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "state file {} is not a valid emulator state: {e}",
                path.display()
            ),
        )
    })
}

pub(crate) fn save(path: &Path, snapshot: &Snapshot) -> io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(snapshot).map_err(io::Error::other)?;
    bytes.push(b'\n');
    write_file_atomically(path, &bytes)
}

/// Replace `path` with `contents` atomically: write a temporary file in the
/// same directory, fsync it, rename it over `path`, then fsync the directory
/// (best effort). A reader sees the old file or the new one, never a part.
pub fn write_file_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    let prefix = format!(".{}.", file_name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    // 0o666 less the umask, as `fs::write` creates a file (tempfile's default is 0o600).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    // On any error the temporary file is removed when dropped.
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_file_atomically(&path, b"one").unwrap();
        write_file_atomically(&path, b"two, longer").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two, longer");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_gives_the_mode_fs_write_gives() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        fs::write(&plain, b"x").unwrap();
        let path = dir.path().join("state.json");
        write_file_atomically(&path, b"x").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), mode(&plain));
    }

    #[test]
    fn atomic_write_into_missing_dir_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("state.json");
        assert!(write_file_atomically(&path, b"x").is_err());
        assert!(!path.exists());
    }

    #[test]
    fn load_missing_is_none_and_garbage_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert!(load(&path).unwrap().is_none());
        fs::write(&path, b"{not json").unwrap();
        let err = load(&path).err().expect("garbage must not load");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }
}
