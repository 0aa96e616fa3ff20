//! The layout of `crates/web/src`, checked: one folder per capability,
//! arrows pointing one way. The shared leaves (`http/`, `i18n/`) reference
//! no capability, and no capability references a sibling; only the
//! composition root (`lib.rs`, `background.rs`) may reference them all.
//!
//! It reads the sources as text and collects every `crate::<name>` in code
//! (comments are left out: a doc link is no dependency).

use std::path::{Path, PathBuf};

/// The capability folders. A new capability is added here.
const CAPABILITIES: &[&str] = &[
    "access",
    "bookings",
    "evaluation",
    "events",
    "invoicing",
    "memberships",
    "network",
    "outbox",
    "audit",
    "people",
    "retention",
    "sites",
    "sso",
];

/// The shared leaves: plumbing and texts, used by every capability.
const LEAVES: &[&str] = &["http", "i18n"];

/// The composition root: files directly under `src/` that merge the
/// capabilities.
const ROOT_FILES: &[&str] = &["lib.rs", "background.rs"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// One reference from a file to a top-level module of the crate.
struct Reference {
    file: String,
    line: usize,
    target: String,
    text: String,
}

/// Every `crate::<name>` (and `crate::{<name>, …}`) in the code of a file.
fn references(file: &str, source: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let preceded_by_ident = rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            rest = &rest[at + "crate::".len()..];
            if preceded_by_ident {
                continue;
            }
            let names: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                // Only names at the group's top level are modules of the crate.
                let mut depth = 0;
                let mut names = vec![String::new()];
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => names.push(String::new()),
                        c if depth == 0 => names.last_mut().unwrap().push(c),
                        _ => {}
                    }
                }
                names
            } else {
                vec![rest.to_string()]
            };
            for name in names {
                let target: String = name
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !target.is_empty() {
                    found.push(Reference {
                        file: file.to_string(),
                        line: i + 1,
                        target,
                        text: line.trim().to_string(),
                    });
                }
            }
        }
    }
    found
}

/// The top-level module a file under `src/` belongs to, or `None` for the
/// composition root.
fn module_of(relative: &Path) -> Option<String> {
    let mut parts = relative.components();
    let first = parts.next()?.as_os_str().to_string_lossy().to_string();
    if parts.next().is_some() {
        Some(first)
    } else if ROOT_FILES.contains(&first.as_str()) {
        None
    } else {
        Some(first.trim_end_matches(".rs").to_string())
    }
}

#[test]
fn leaves_use_no_capability_and_no_capability_uses_a_sibling() {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut offences = Vec::new();
    let mut unknown = Vec::new();
    for path in &files {
        let relative = path.strip_prefix(&root).unwrap();
        let Some(module) = module_of(relative) else {
            continue;
        };
        let is_leaf = LEAVES.contains(&module.as_str());
        if !is_leaf && !CAPABILITIES.contains(&module.as_str()) {
            unknown.push(relative.display().to_string());
            continue;
        }
        let source = std::fs::read_to_string(path).unwrap();
        let name = format!("src/{}", relative.display());
        for r in references(&name, &source) {
            let target_is_capability = CAPABILITIES.contains(&r.target.as_str());
            let wrong = if is_leaf {
                target_is_capability
            } else {
                target_is_capability && r.target != module
            };
            if wrong {
                offences.push(r);
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "files under src/ that are neither a capability, a leaf nor the root \
         (add their folder to CAPABILITIES or LEAVES in tests/web/layout.rs):\n  {}",
        unknown.join("\n  ")
    );
    let listing: Vec<String> = offences
        .iter()
        .map(|r| {
            format!(
                "{}:{}: uses crate::{}: {}",
                r.file, r.line, r.target, r.text
            )
        })
        .collect();
    assert!(
        offences.is_empty(),
        "a leaf (http/, i18n/) may use no capability, and a capability no \
         sibling; move shared plumbing to http/, a rule to the domain, or ask \
         the store:\n  {}",
        listing.join("\n  ")
    );
}

#[test]
fn the_checker_sees_plain_grouped_and_nested_references() {
    let source = "use crate::http::page::Page;\n\
                  use crate::{bookings::service, i18n};\n\
                  let x = crate::events::service::MAX_LISTED; // crate::people\n\
                  //! [`crate::sites`]\n\
                  use thirdplace_crate::x;\n";
    let found: Vec<(usize, String)> = references("f.rs", source)
        .into_iter()
        .map(|r| (r.line, r.target))
        .collect();
    assert_eq!(
        found,
        vec![
            (1, "http".to_string()),
            (2, "bookings".to_string()),
            (2, "i18n".to_string()),
            (3, "events".to_string()),
        ]
    );
    assert_eq!(module_of(Path::new("lib.rs")), None);
    assert_eq!(module_of(Path::new("http/page.rs")), Some("http".into()));
    assert_eq!(module_of(Path::new("loose.rs")), Some("loose".into()));
}

/// `super::super::…` can climb out of a capability without naming
/// `crate::`, where the check above would not see it; paths beyond the
/// parent module are written from `crate::`.
#[test]
fn no_file_climbs_out_with_super_super() {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut offences = Vec::new();
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap();
        for (i, line) in source.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("super::super") {
                let relative = path.strip_prefix(&root).unwrap();
                offences.push(format!(
                    "src/{}:{}: {}",
                    relative.display(),
                    i + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "write paths beyond the parent module from crate:: so that the layout check sees them:\n  {}",
        offences.join("\n  ")
    );
}
