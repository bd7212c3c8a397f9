//! preflight: reads a project's configuration into one document model with spans and checks it
//! against policies written in Rhai.
//!
//! The stages, each a module: [`walk`] finds files, [`parse`] detects and parses them into
//! [`model`] documents, [`engine`] runs the policies, [`report`] renders the findings.

pub mod attest;
pub mod authoring;
pub mod baseline;
pub mod check;
pub mod checklist;
pub mod config;
pub mod dump;
pub mod engine;
pub mod finding;
pub mod fixtures;
pub mod limits;
pub mod lsp;
pub mod model;
pub mod parse;
pub mod report;
pub mod suggest;
pub mod suppress;
pub mod walk;

/// The default policy pack and stdlib, embedded at build time: `(path, source)` pairs.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}
