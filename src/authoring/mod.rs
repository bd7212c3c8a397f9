//! The policy author's commands: `new`, `test`, `rules`, `explain` and `docs`.

pub mod new;
pub mod rules;
pub mod test;
