//! Directories for `ServeDir`, written by the test and removed when it ends.

use std::path::{Path, PathBuf};

/// A fresh directory under the system's temporary directory, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// An empty directory whose name holds `name` and the process id (so concurrent runs
    /// of the suite do not meet).
    pub fn new(name: &str) -> TempDir {
        let root =
            std::env::temp_dir().join(format!("scope-policy-tests-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("create the directory");
        TempDir(root)
    }

    /// Writes `contents` at `relative`, creating the directories on the way.
    pub fn write(&self, relative: &str, contents: &[u8]) {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create");
        std::fs::write(path, contents).expect("write");
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
