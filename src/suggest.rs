//! "Did you mean …?" for misspelt ids, keys and names.

/// The candidate nearest to `word` by edit distance, when it is near enough to be a typo
/// (at most a third of the word's length): the "did you mean" of error messages.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Levenshtein distance in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_only_near_names() {
        let ids = ["docker/runs-as-root", "docker/latest-tag", "k8s/privileged"];
        assert_eq!(
            closest("docker/run-as-root", ids.iter().copied()),
            Some("docker/runs-as-root")
        );
        assert_eq!(closest("terraform/foo", ids.iter().copied()), None);
    }
}
