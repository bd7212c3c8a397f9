//! The unified document model: every format becomes a tree of [`Node`]s with [`Span`]s.

mod document;
mod node;
mod project;
mod span;

pub use document::{Document, Format, Kind};
pub use node::{Key, Node, Value};
pub use project::{Project, ProjectFile, resolve_path};
pub use span::{Pos, SourceFile, SourceId, SourceMap, Span};
