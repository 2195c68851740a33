//! TODO regions: the parts of a starter the student fills in.
//!
//! A region starts at a line whose text starts with `// TODO` and ends at
//! the next line that starts with `// END TODO`:
//!
//! ```text
//! // TODO(a): read the body and answer with the message
//! ...instructions and placeholder code in the starter,
//! ...the finished code in the solution...
//! // END TODO(a)
//! ```
//!
//! A starter and its solution must be the same file outside their regions,
//! so that `diff -ru exercises solutions` shows exactly the answers.

/// A TODO region: its opening line and the line numbers (1-based) it spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// The opening marker, trimmed: `// TODO(a): read the body`.
    pub title: String,
    /// Line number of the opening marker.
    pub start: usize,
    /// Line number of the closing marker.
    pub end: usize,
}

fn is_start(line: &str) -> bool {
    line.trim_start().starts_with("// TODO")
}

fn is_end(line: &str) -> bool {
    line.trim_start().starts_with("// END TODO")
}

/// Finds the TODO regions of a file, refusing unbalanced markers.
///
/// ```
/// let text = "a\n// TODO: b\nc\n// END TODO\nd\n";
/// let regions = course::regions::find(text).unwrap();
/// assert_eq!(regions.len(), 1);
/// assert_eq!((regions[0].start, regions[0].end), (2, 4));
/// ```
pub fn find(text: &str) -> Result<Vec<Region>, String> {
    let mut regions = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if is_end(line) {
            let Some((start, title)) = open.take() else {
                return Err(format!(
                    "line {number}: `// END TODO` without a `// TODO` before it"
                ));
            };
            regions.push(Region {
                title: title.trim().to_owned(),
                start,
                end: number,
            });
        } else if is_start(line) {
            if let Some((start, _)) = open {
                return Err(format!(
                    "line {number}: a `// TODO` inside the region opened at line {start}"
                ));
            }
            open = Some((number, line));
        }
    }
    match open {
        Some((start, _)) => Err(format!(
            "line {start}: a `// TODO` region is never closed with `// END TODO`"
        )),
        None => Ok(regions),
    }
}

/// The text inside each TODO region of `text` whose opening line `tagged`
/// accepts, in order (marker lines left out); `None` if the markers are
/// unbalanced.
///
/// ```
/// let text = "// TODO(a): x\n1\n// END TODO(a)\n// TODO(b): y\n2\n// END TODO(b)\n";
/// let inside = course::regions::inside(text, |title| title.starts_with("// TODO(b)"));
/// assert_eq!(inside, Some(vec!["2".to_owned()]));
/// ```
pub fn inside(text: &str, tagged: impl Fn(&str) -> bool) -> Option<Vec<String>> {
    let lines: Vec<&str> = text.lines().collect();
    let regions = find(text).ok()?;
    Some(
        regions
            .iter()
            .filter(|region| tagged(&region.title))
            .map(|region| lines[region.start..region.end - 1].join("\n"))
            .collect(),
    )
}

/// The lines of a file outside its TODO regions, marker lines included,
/// with each region's content replaced by one placeholder.
fn outside(text: &str, regions: &[Region]) -> Vec<(usize, String)> {
    let mut kept = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if regions
            .iter()
            .any(|region| region.start < number && number < region.end)
        {
            continue;
        }
        kept.push((number, line.to_owned()));
        if regions.iter().any(|region| region.start == number) {
            kept.push((number, "<TODO region>".to_owned()));
        }
    }
    kept
}

/// Checks that `starter` and `solution` are the same outside their TODO
/// regions, with the same regions in the same order. Returns how many
/// regions there are, or where the two first part ways.
///
/// ```
/// let starter = "fn main() {\n    // TODO: say hi\n    todo!()\n    // END TODO\n}\n";
/// let solution = "fn main() {\n    // TODO: say hi\n    println!(\"hi\");\n    // END TODO\n}\n";
/// assert_eq!(course::regions::compare(starter, solution), Ok(1));
///
/// let changed = solution.replace("fn main", "pub fn main");
/// assert!(course::regions::compare(starter, &changed).unwrap_err().contains("line 1"));
/// ```
pub fn compare(starter: &str, solution: &str) -> Result<usize, String> {
    let starter_regions = find(starter).map_err(|error| format!("starter: {error}"))?;
    let solution_regions = find(solution).map_err(|error| format!("solution: {error}"))?;
    if starter_regions.len() != solution_regions.len() {
        return Err(format!(
            "the starter has {} TODO regions, the solution {}",
            starter_regions.len(),
            solution_regions.len()
        ));
    }
    let starter_lines = outside(starter, &starter_regions);
    let solution_lines = outside(solution, &solution_regions);
    for (ours, theirs) in starter_lines.iter().zip(&solution_lines) {
        if ours.1 != theirs.1 {
            return Err(format!(
                "outside the TODO regions, starter line {} and solution line {} differ:\n  starter:  {}\n  solution: {}",
                ours.0,
                theirs.0,
                ours.1.trim(),
                theirs.1.trim()
            ));
        }
    }
    if starter_lines.len() != solution_lines.len() {
        let (longer, rest) = if starter_lines.len() > solution_lines.len() {
            ("starter", &starter_lines[solution_lines.len()..])
        } else {
            ("solution", &solution_lines[starter_lines.len()..])
        };
        return Err(format!(
            "the {longer} has extra lines at the end, from line {}",
            rest[0].0
        ));
    }
    Ok(starter_regions.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_unbalanced_markers() {
        assert!(find("// END TODO\n").unwrap_err().contains("without"));
        assert!(
            find("// TODO: a\n// TODO: b\n// END TODO\n")
                .unwrap_err()
                .contains("inside")
        );
        assert!(find("// TODO: a\n").unwrap_err().contains("never closed"));
    }

    #[test]
    fn regions_may_differ_in_length() {
        let starter = "a\n// TODO(x)\n1\n// END TODO(x)\nb\n// TODO(y)\n// END TODO(y)\nc\n";
        let solution =
            "a\n// TODO(x)\n1\n2\n3\n// END TODO(x)\nb\n// TODO(y)\n4\n// END TODO(y)\nc\n";
        assert_eq!(compare(starter, solution), Ok(2));
    }

    #[test]
    fn notices_changes_outside_regions_and_in_markers() {
        let starter = "a\n// TODO(x)\n1\n// END TODO(x)\nb\n";
        assert!(compare(starter, "a\n// TODO(x)\n1\n// END TODO(x)\nB\n").is_err());
        assert!(compare(starter, "a\n// TODO(z)\n1\n// END TODO(x)\nb\n").is_err());
        assert!(compare(starter, "a\n// TODO(x)\n1\n// END TODO(x)\nb\nextra\n").is_err());
        assert!(compare(starter, "a\nb\n").unwrap_err().contains("regions"));
    }
}
