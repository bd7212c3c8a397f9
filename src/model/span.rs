//! Source files and positions inside them.

use std::sync::Arc;

/// Index of a file in the run's [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SourceId(pub u32);

/// A position: byte offset, 1-based line, 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Pos {
    pub offset: usize,
    pub line: u32,
    pub column: u32,
}

/// A half-open range `[start, end)` in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub source: SourceId,
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn byte_range(&self) -> std::ops::Range<usize> {
        self.start.offset..self.end.offset
    }

    /// The smallest span covering both (same source assumed).
    pub fn to(&self, other: &Span) -> Span {
        Span {
            source: self.source,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One file's text with a line table, so any byte offset maps to line and column.
#[derive(Debug)]
pub struct SourceFile {
    pub id: SourceId,
    /// Path relative to the scan root, with `/` separators.
    pub path: String,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
    /// Lines holding a non-ASCII character, where columns must count characters.
    non_ascii_lines: Vec<u32>,
}

impl SourceFile {
    pub fn new(id: SourceId, path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let non_ascii_lines = if text.is_ascii() {
            Vec::new()
        } else {
            let ends = line_starts.iter().skip(1).copied().chain([text.len()]);
            line_starts
                .iter()
                .zip(ends)
                .enumerate()
                .filter(|(_, (start, end))| !text.as_bytes()[**start..*end].is_ascii())
                .map(|(line, _)| line as u32)
                .collect()
        };
        SourceFile {
            id,
            path: path.into(),
            text,
            line_starts,
            non_ascii_lines,
        }
    }

    /// Position of a byte offset; offsets past the end clamp to the end, offsets inside a
    /// multi-byte character snap back to its start.
    pub fn pos(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        // Counting characters is only needed on lines that hold multi-byte ones: this keeps
        // positions O(log n) on long minified lines.
        let column = if self.non_ascii_lines.binary_search(&(line as u32)).is_ok() {
            self.text[start..offset].chars().count()
        } else {
            offset - start
        } + 1;
        Pos {
            offset,
            line: line as u32 + 1,
            column: column as u32,
        }
    }

    /// Position of `offset` counted from a known position `near`, which is cheap when both lie
    /// on one line: lexers asking for the positions of many tokens on a long non-ASCII line
    /// stay linear instead of recounting from the line start each time.
    pub fn pos_from(&self, near: Pos, offset: usize) -> Pos {
        let (from, to) = if offset >= near.offset {
            (near.offset, offset)
        } else {
            (offset, near.offset)
        };
        match self.text.get(from..to) {
            Some(gap) if !gap.contains('\n') => {
                let n = gap.chars().count() as u32;
                let column = if offset >= near.offset {
                    near.column + n
                } else {
                    near.column.saturating_sub(n)
                };
                Pos {
                    offset,
                    line: near.line,
                    column,
                }
            }
            _ => self.pos(offset),
        }
    }

    /// Span of a byte range.
    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span {
            source: self.id,
            start: self.pos(range.start),
            end: self.pos(range.end.max(range.start)),
        }
    }

    /// Byte offset of the start of a 1-based line (the end of the text past the last line).
    pub fn line_start(&self, line: u32) -> usize {
        let index = (line.max(1) - 1) as usize;
        self.line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// Byte offset of a 1-based line and 1-based character column (clamped to the line).
    pub fn offset_at(&self, line: u32, column: u32) -> usize {
        let text = self.line_text(line);
        let within = text
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(text.len(), |(i, _)| i);
        self.line_start(line) + within
    }

    /// The text of a 1-based line without its line break.
    pub fn line_text(&self, line: u32) -> &str {
        let start = self.line_start(line);
        let end = self.line_start(line + 1).min(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    /// The source text under a span of this file.
    pub fn slice(&self, span: &Span) -> &str {
        self.text.get(span.byte_range()).unwrap_or("")
    }
}

/// Every file read in a run, by [`SourceId`]. Cloning shares the files.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
}

impl SourceMap {
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<Arc<str>>) -> Arc<SourceFile> {
        let id = SourceId(self.files.len() as u32);
        let file = Arc::new(SourceFile::new(id, path, text));
        self.files.push(file.clone());
        file
    }

    /// Gives the file `id` new text, keeping its id and path: an edited buffer. Spans into
    /// the old text no longer fit; callers re-parse whatever pointed into it.
    pub fn replace(&mut self, id: SourceId, text: impl Into<Arc<str>>) -> Option<Arc<SourceFile>> {
        let slot = self.files.get_mut(id.0 as usize)?;
        let file = Arc::new(SourceFile::new(id, slot.path.clone(), text));
        *slot = file.clone();
        Some(file)
    }

    pub fn get(&self, id: SourceId) -> Option<&Arc<SourceFile>> {
        self.files.get(id.0 as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_from_one_and_columns_in_chars() {
        let file = SourceFile::new(SourceId(0), "a", "ab\nçé=x\n");
        assert_eq!(
            file.pos(0),
            Pos {
                offset: 0,
                line: 1,
                column: 1
            }
        );
        assert_eq!(
            file.pos(3),
            Pos {
                offset: 3,
                line: 2,
                column: 1
            }
        );
        // `=` is the third character but the fifth byte of line 2.
        assert_eq!(
            file.pos(7),
            Pos {
                offset: 7,
                line: 2,
                column: 3
            }
        );
        assert_eq!(file.pos(4).offset, 3, "inside a char snaps back");
        assert_eq!(file.line_text(2), "çé=x");
        assert_eq!(file.pos(99).line, 3);
    }

    #[test]
    fn positions_from_a_nearby_one_match_the_line_table() {
        let file = SourceFile::new(SourceId(0), "a", "ab\nçé=x yz\nq");
        for near in 0..file.text.len() {
            let near = file.pos(near);
            for offset in (0..=file.text.len()).filter(|o| file.text.is_char_boundary(*o)) {
                assert_eq!(
                    file.pos_from(near, offset),
                    file.pos(offset),
                    "from {near:?} to {offset}"
                );
            }
        }
    }
}
