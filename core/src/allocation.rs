//! Allocation rules: ordered rules that give each charge a value of a virtual dimension.
//!
//! The rules file (`allocation.toml`) holds one array of tables per dimension; the dashboard's
//! dimension is `team`:
//!
//! ```toml
//! [[team]]
//! source = "openai"        # optional: omitted, the rule applies to every source
//! key = "proj_search*"     # x_AttributionKey: exact, or a glob with `*`, `?` and `[...]`
//! value = "search"
//! ```
//!
//! Rules are tried in order and the first that matches wins; a charge no rule matches gets
//! [`UNALLOCATED`]. A rule is evaluated once per distinct (source, key), not once per row.

use std::collections::{BTreeMap, HashMap};

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use crate::table::{ChargeTable, Symbol};

/// The value of a charge that no rule matches.
pub const UNALLOCATED: &str = "Unallocated";

/// A rules file that could not be used, with where in the file the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct RulesError {
    pub file: String,
    /// 1-based line, 0 when the problem has no single place.
    pub line: usize,
    /// 1-based column, 0 when the problem has no single place.
    pub column: usize,
    pub message: String,
}

/// One rule as written in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleText {
    source: Option<String>,
    key: String,
    value: String,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub source: Option<String>,
    pub key: String,
    pub value: String,
    matcher: KeyMatcher,
}

#[derive(Debug, Clone)]
enum KeyMatcher {
    Exact,
    Glob(GlobMatcher),
}

impl Rule {
    /// Whether the rule gives its value to a charge of `source` with attribution key `key`.
    pub fn matches(&self, source: &str, key: &str) -> bool {
        if self.source.as_deref().is_some_and(|scope| scope != source) {
            return false;
        }
        match &self.matcher {
            KeyMatcher::Exact => self.key == key,
            KeyMatcher::Glob(glob) => glob.is_match(key),
        }
    }
}

/// The parsed rules file: ordered rules per dimension.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    dimensions: BTreeMap<String, Vec<Rule>>,
}

impl Rules {
    /// Parses a rules file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, RulesError> {
        let error_at = |span: Option<std::ops::Range<usize>>, message: String| {
            let (line, column) = span.map_or((0, 0), |span| line_and_column(text, span.start));
            RulesError {
                file: file.to_owned(),
                line,
                column,
                message,
            }
        };
        let parsed: BTreeMap<String, toml::Spanned<Vec<toml::Spanned<RuleText>>>> =
            toml::from_str(text).map_err(|error| {
                error_at(
                    error.span(),
                    error.message().trim_end_matches('\n').to_owned(),
                )
            })?;

        let mut dimensions = BTreeMap::new();
        for (dimension, rules) in parsed {
            let mut compiled = Vec::new();
            for rule in rules.into_inner() {
                let span = rule.span();
                let text = rule.into_inner();
                let matcher = if text.key.contains(['*', '?', '[', '{']) {
                    let glob = Glob::new(&text.key).map_err(|error| {
                        error_at(
                            Some(span.clone()),
                            format!("bad glob `{}`: {error}", text.key),
                        )
                    })?;
                    KeyMatcher::Glob(glob.compile_matcher())
                } else {
                    KeyMatcher::Exact
                };
                compiled.push(Rule {
                    source: text.source,
                    key: text.key,
                    value: text.value,
                    matcher,
                });
            }
            dimensions.insert(dimension, compiled);
        }
        Ok(Rules { dimensions })
    }

    /// The rules of `dimension`, in order; none when the file does not define it.
    pub fn dimension(&self, dimension: &str) -> &[Rule] {
        self.dimensions.get(dimension).map_or(&[], Vec::as_slice)
    }
}

/// 1-based line and column of byte `offset` in `text`, for error messages about a file.
pub fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    (line, column)
}

/// The value of one dimension for every charge of a table.
#[derive(Debug, Clone)]
pub struct Allocation {
    /// The distinct values, [`UNALLOCATED`] among them when any charge is unallocated.
    pub values: Vec<String>,
    /// Per charge, its index in `values`.
    pub value_of_charge: Vec<u32>,
}

/// Allocates every charge of `table` to a value of `dimension`.
pub fn allocate(table: &ChargeTable, rules: &Rules, dimension: &str) -> Allocation {
    let rules = rules.dimension(dimension);
    let mut values: Vec<String> = Vec::new();
    let mut value_index: HashMap<String, u32> = HashMap::new();
    let mut by_key: HashMap<(Symbol, Symbol), u32> = HashMap::new();
    let mut value_of_charge = Vec::with_capacity(table.len());

    for (&source, &key) in table.source.iter().zip(&table.attribution_key) {
        let index = *by_key.entry((source, key)).or_insert_with(|| {
            let (source, key) = (table.strings.get(source), table.strings.get(key));
            let value = rules
                .iter()
                .find(|rule| rule.matches(source, key))
                .map_or(UNALLOCATED, |rule| rule.value.as_str());
            *value_index.entry(value.to_owned()).or_insert_with(|| {
                values.push(value.to_owned());
                u32::try_from(values.len() - 1).expect("fewer than 4 billion values")
            })
        });
        value_of_charge.push(index);
    }
    Allocation {
        values,
        value_of_charge,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"
[[team]]
source = "openai"
key = "proj_search*"
value = "search"

[[team]]
key = "wrkspc_01SUPPORT"
value = "support"

[[team]]
key = "proj_search_legacy"
value = "never reached"
"#;

    #[test]
    fn first_matching_rule_wins_and_scopes_apply() {
        let rules = Rules::parse("allocation.toml", RULES).expect("valid rules");
        let team = rules.dimension("team");
        assert_eq!(team.len(), 3);
        let first = |source: &str, key: &str| {
            team.iter()
                .find(|rule| rule.matches(source, key))
                .map(|rule| rule.value.as_str())
        };
        assert_eq!(first("openai", "proj_search_legacy"), Some("search"));
        assert_eq!(
            first("anthropic", "proj_search_legacy"),
            Some("never reached")
        );
        assert_eq!(first("anthropic", "wrkspc_01SUPPORT"), Some("support"));
        assert_eq!(first("anthropic", "wrkspc_01SUPPORT2"), None);
        assert!(rules.dimension("product").is_empty());
    }

    #[test]
    fn an_unknown_field_is_an_error_with_line_and_column() {
        let text = "[[team]]\nkey = \"a\"\nvalue = \"b\"\nmodle = \"gpt-4o\"\n";
        let error = Rules::parse("allocation.toml", text).expect_err("unknown field");
        assert_eq!((error.line, error.column), (4, 1), "{error}");
        assert!(error.message.contains("modle"), "{error}");
        assert!(
            error.to_string().starts_with("allocation.toml:4:1: "),
            "{error}"
        );
    }

    #[test]
    fn a_missing_value_is_an_error() {
        let error = Rules::parse("r.toml", "[[team]]\nkey = \"a\"\n").expect_err("no value");
        assert!(error.message.contains("value"), "{error}");
        assert_eq!(error.line, 1, "{error}");
    }

    #[test]
    fn a_bad_glob_is_an_error_not_a_silent_no_match() {
        let error = Rules::parse("r.toml", "[[team]]\nkey = \"proj_[a\"\nvalue = \"x\"\n")
            .expect_err("bad glob");
        assert!(error.message.contains("bad glob"), "{error}");
        assert_eq!(error.line, 1, "{error}");
    }
}
