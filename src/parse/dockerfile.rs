//! dockerfile adapter (placeholder while the adapter is written).

use crate::model::SourceFile;

use super::Parsed;

pub fn parse(_file: &SourceFile) -> Parsed {
    Parsed::default()
}
