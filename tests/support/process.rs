//! A child process (a tutorial example, a lecture's Python script) watched line by line.

use std::io::{BufRead, BufReader};
use std::process::Child;
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use super::SLOW_GUARD;

/// A running child process whose stdout arrives line by line through a channel, so every
/// wait on it is bounded; its stderr is kept for the failure messages. Dropping it kills
/// the process if it still runs, so a failing test leaves nothing behind.
pub(crate) struct Process {
    name: String,
    child: Child,
    lines: mpsc::Receiver<String>,
    stdout: Vec<String>,
    stderr: Arc<Mutex<String>>,
}

impl Process {
    /// Watches `child`, started with piped stdout and stderr; `name` names it in messages.
    ///
    /// # Panics
    ///
    /// If the child's stdout or stderr is not piped.
    pub(crate) fn new(name: &str, mut child: Child) -> Process {
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, lines) = mpsc::channel();
        // Ends when the process closes its stdout, that is when it exits: the channel then
        // reports `Disconnected`.
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let child_stderr = child.stderr.take().expect("stderr is piped");
        let collected = Arc::clone(&stderr);
        thread::spawn(move || {
            for line in BufReader::new(child_stderr).lines() {
                let Ok(line) = line else { break };
                let mut all = collected.lock().unwrap_or_else(PoisonError::into_inner);
                all.push_str(&line);
                all.push('\n');
            }
        });
        Process {
            name: name.to_owned(),
            child,
            lines,
            stdout: Vec::new(),
            stderr,
        }
    }

    /// Waits at most `timeout` for a stdout line starting with `prefix` (any line for `""`)
    /// and returns it, or `None` if the process closed its stdout first.
    ///
    /// # Panics
    ///
    /// If no such line came within `timeout`, with what the process printed so far.
    #[track_caller]
    pub(crate) fn wait_for_line(&mut self, prefix: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.stdout.push(line.clone());
                    if line.starts_with(prefix) {
                        return Some(line);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
                Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                    "{} printed no line starting with {prefix:?} within {timeout:?}\n{}",
                    self.name,
                    self.report()
                ),
            }
        }
    }

    /// Waits at most [`SLOW_GUARD`] for the process to end, asserts it succeeded and
    /// returns all its stdout, a `\n` after each line.
    #[track_caller]
    pub(crate) fn finish(mut self) -> String {
        // A prefix no line has: reads every line until the process closes its stdout.
        while self.wait_for_line("\0never", SLOW_GUARD).is_some() {}
        // Its stdout is closed: the process has ended or is ending.
        let status = self.child.wait().expect("cannot wait for the process");
        assert!(
            status.success(),
            "{} failed: {status}\n{}",
            self.name,
            self.report()
        );
        self.stdout.iter().map(|line| format!("{line}\n")).collect()
    }

    /// Sends SIGTERM, which `stop_on_ctrl_c` handles as it does Ctrl-C.
    ///
    /// # Panics
    ///
    /// If the `kill` command cannot be run or fails.
    #[cfg(unix)]
    #[track_caller]
    pub(crate) fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("cannot run kill");
        assert!(status.success(), "kill -TERM {} failed", self.child.id());
    }

    /// What the process printed so far, on stdout and on stderr.
    pub(crate) fn report(&self) -> String {
        format!(
            "stdout so far:\n{}\nstderr so far:\n{}",
            self.stdout.join("\n"),
            self.stderr.lock().unwrap_or_else(PoisonError::into_inner)
        )
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
