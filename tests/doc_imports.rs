//! Every example a user can see (rustdoc of the three crates, the README,
//! the tutorials) is written as in a crate that depends on `threaded` alone.
//!
//! The doctests compile them, but inside this workspace: a doctest of
//! `threaded-runtime` also sees `threaded_runtime`, `log` and `flume`, and an
//! example sees every dev-dependency, so `use log::info;` passes here and
//! fails for the student who copies it. This test reads the code itself and
//! refuses a path that starts at a crate the student was never told to add.
//! (`.ci/newcomer` builds the README's program in such a crate for real.)

use std::fs;
use std::path::{Path, PathBuf};

/// What a program that depends on `threaded` alone can name at a path's root.
const PRELUDE: &[&str] = &["threaded", "std", "core", "alloc", "self", "super", "crate"];

/// The crates this workspace depends on, which a student's crate does not
/// have: naming one at a path's root is the mistake this test looks for.
const NOT_THEIRS: &[&str] = &[
    "threaded_runtime",
    "threaded_macro",
    "log",
    "flume",
    "socket2",
    "env_logger",
    "ctrlc",
    "crossbeam_channel",
    "crossbeam",
    "tokio",
    "criterion",
    "trybuild",
    "syn",
    "quote",
    "proc_macro2",
];

/// A code block and where it starts.
struct Block {
    file: PathBuf,
    line: usize,
    code: Vec<String>,
    /// The lines as written, hidden `# ` lines with their mark.
    raw: Vec<String>,
}

/// The Rust code blocks of doc comments (`///`, `//!`) or of Markdown.
fn blocks(file: &Path, markdown: bool) -> Vec<Block> {
    let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut found = Vec::new();
    let mut open: Option<Block> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = if markdown {
            Some(raw)
        } else {
            let trimmed = raw.trim_start();
            trimmed
                .strip_prefix("///")
                .or_else(|| trimmed.strip_prefix("//!"))
                .map(|rest| rest.strip_prefix(' ').unwrap_or(rest))
        };
        let Some(line) = line else {
            if let Some(block) = open.take() {
                found.push(block);
            }
            continue;
        };
        if let Some(fence) = line.trim_start().strip_prefix("```") {
            match open.take() {
                Some(block) => found.push(block),
                None => {
                    // Rustdoc's default language is Rust; Markdown's is not.
                    let lang = fence.trim();
                    let rust = if markdown {
                        lang.starts_with("rust")
                    } else {
                        lang.is_empty()
                            || lang.split(',').all(|tag| {
                                matches!(
                                    tag.trim(),
                                    "rust"
                                        | "no_run"
                                        | "should_panic"
                                        | "compile_fail"
                                        | "ignore"
                                        | "edition2021"
                                        | "edition2024"
                                )
                            })
                    };
                    open = Some(Block {
                        file: file.to_owned(),
                        line: index + 1,
                        code: Vec::new(),
                        raw: Vec::new(),
                    });
                    if !rust {
                        // Skip to the closing fence without checking.
                        open.as_mut().unwrap().line = 0;
                    }
                }
            }
            continue;
        }
        if let Some(block) = &mut open {
            // Rustdoc's hidden lines are compiled too.
            let code = line.strip_prefix("# ").unwrap_or(line);
            block.code.push(code.to_owned());
            block.raw.push(line.to_owned());
        }
    }
    found.retain(|block| block.line != 0);
    found
}

/// Identifiers that start a path (`name::`), not preceded by `::`, `.` or
/// an identifier character.
fn path_roots(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut roots = Vec::new();
    let mut at = 0;
    while let Some(found) = line[at..].find("::") {
        let end = at + found;
        let start = line[..end]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let before = line[..start].trim_end();
        let is_root = start < end
            && !before.ends_with("::")
            && !before.ends_with('.')
            && !bytes[start].is_ascii_digit();
        if is_root {
            roots.push(&line[start..end]);
        }
        at = end + 2;
    }
    roots
}

/// What the block's `use threaded::...` lines bring in under their own name
/// (`use threaded::log;` makes `log::info!` fine).
fn imported(code: &[String]) -> Vec<String> {
    code.iter()
        .filter_map(|line| line.trim_start().strip_prefix("use threaded::"))
        .flat_map(|rest| {
            rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|word| !word.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn problems(block: &Block) -> Vec<String> {
    let imported = imported(&block.code);
    let mut found = Vec::new();
    for (offset, line) in block.code.iter().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let trimmed = code.trim_start();
        let use_root = trimmed
            .strip_prefix("pub use ")
            .or_else(|| trimmed.strip_prefix("use "))
            .map(|rest| {
                let rest = rest.trim_start_matches("::");
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            });
        let bad_use = use_root.filter(|root| !root.is_empty() && !PRELUDE.contains(root));
        let bad_path = path_roots(code)
            .into_iter()
            .find(|root| NOT_THEIRS.contains(root) && !imported.iter().any(|name| name == root));
        if let Some(root) = bad_use.or(bad_path) {
            found.push(format!(
                "{}:{} (block at line {}): `{root}::` in {:?}",
                block.file.display(),
                block.line + 1 + offset,
                block.line,
                line.trim()
            ));
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_visible_example_names_only_threaded_and_std() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "threaded-runtime/src", "threaded-macro/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    // The inner crates' own front pages may show their own names.
    let own_pages = [
        root.join("threaded-runtime/src/lib.rs"),
        root.join("threaded-macro/src/lib.rs"),
    ];
    let mut all = Vec::new();
    let mut checked = 0;
    for file in &files {
        for block in blocks(file, false) {
            let front_page = own_pages.contains(file)
                && fs::read_to_string(file)
                    .unwrap()
                    .lines()
                    .nth(block.line - 1)
                    .is_some_and(|line| line.trim_start().starts_with("//!"));
            if front_page {
                continue;
            }
            checked += 1;
            all.extend(problems(&block));
        }
    }
    for block in blocks(&root.join("README.md"), true) {
        checked += 1;
        all.extend(problems(&block));
    }
    // The tutorials are copied whole: their code is one block each.
    let mut examples = Vec::new();
    rust_files(&root.join("examples"), &mut examples);
    for file in examples {
        let text = fs::read_to_string(&file).unwrap();
        let code: Vec<String> = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .map(str::to_owned)
            .collect();
        checked += 1;
        // A tutorial may use a crate its header names for the student to add
        // (12 builds a bare socket with "the `socket2` crate", to compare).
        let named = |problem: &String| {
            NOT_THEIRS.iter().any(|krate| {
                problem.contains(&format!("`{krate}::`"))
                    && text.contains(&format!("the `{krate}` crate"))
            })
        };
        all.extend(
            problems(&Block {
                file,
                line: 0,
                code,
                raw: Vec::new(),
            })
            .into_iter()
            .filter(|problem| !named(problem)),
        );
    }
    assert!(
        checked > 100,
        "only {checked} blocks found: is the scan broken?"
    );
    assert!(
        all.is_empty(),
        "examples a student copies must need only `threaded`:\n{}",
        all.join("\n")
    );
}

#[test]
fn the_scan_finds_what_a_student_could_not_compile() {
    let block = |lines: &[&str]| Block {
        file: PathBuf::from("x.rs"),
        line: 1,
        code: lines.iter().map(|l| (*l).to_owned()).collect(),
        raw: Vec::new(),
    };
    assert_eq!(problems(&block(&["use log::info;"])).len(), 1);
    assert_eq!(
        problems(&block(&["use threaded_runtime::WorkQueue;"])).len(),
        1
    );
    assert_eq!(problems(&block(&["    log::info!(\"x\");"])).len(), 1);
    assert_eq!(
        problems(&block(&["let q = flume::unbounded::<u8>();"])).len(),
        1
    );
    assert!(problems(&block(&["use threaded::log;", "log::info!(\"x\");"])).is_empty());
    assert!(problems(&block(&["use std::io;", "threaded::log::warn!(\"x\");"])).is_empty());
    assert!(problems(&block(&["let n = io::Result::<()>::Ok(());"])).is_empty());
}

/// A rendered page does not show `# ` lines, so an import hidden that way is missing from
/// what a student copies: every `use` of an example is visible.
#[test]
fn no_example_hides_its_imports() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "threaded-runtime/src", "threaded-macro/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut hidden = Vec::new();
    let mut checked = 0;
    for file in &files {
        for block in blocks(file, false) {
            checked += 1;
            for (i, line) in block.raw.iter().enumerate() {
                let line = line.trim_start();
                if let Some(rest) = line.strip_prefix('#') {
                    if rest.trim_start().starts_with("use ") {
                        hidden.push(format!(
                            "{}:{}: {line}",
                            block.file.display(),
                            block.line + i + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} doc examples found: the scan is broken"
    );
    assert!(hidden.is_empty(), "hidden imports:\n{}", hidden.join("\n"));
}
