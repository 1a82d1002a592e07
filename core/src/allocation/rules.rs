//! The rules file: parsing and checking `allocation.toml` into ordered rules per dimension.
//!
//! The file is read as a TOML document with the place of every key and value, so a problem is
//! reported at its line and column: an unknown field, a bad glob or regular expression, a
//! split whose percentages do not add up to 100. Nothing invalid is ever a silent no-match.

use std::ops::Range;

use globset::{Glob, GlobMatcher};
use regex::Regex;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::allocation::{fold, fold_glob};
use crate::money::Amount;

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

/// The parsed rules file: ordered rules per dimension, dimensions sorted by name.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    dimensions: Vec<(String, Vec<Rule>)>,
}

/// One rule: where it applies, what it matches, and what it gives.
#[derive(Debug, Clone)]
pub struct Rule {
    /// 1-based line of the rule's `[[dimension]]` header.
    pub line: usize,
    /// `x_Source` the rule is limited to; `None` for every source.
    pub source: Option<String>,
    /// Every condition must hold for the rule to match.
    pub conditions: Vec<Condition>,
    pub assignment: Assignment,
}

/// A charge field compared with a pattern.
#[derive(Debug, Clone)]
pub struct Condition {
    pub field: Field,
    pub pattern: Pattern,
}

/// The charge fields a rule can match on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// `x_AttributionKey`, the source's native key (`key` in the file).
    AttributionKey,
    /// `SubAccountId` (`sub_account`).
    SubAccount,
    /// `x_Model` (`model`).
    Model,
    /// `ServiceName` (`service`).
    Service,
    /// `ChargeCategory` (`charge_category`).
    ChargeCategory,
    /// A tag or label of `Tags`, by its folded key (`tags = { key = pattern }`).
    Tag { key: String, key_folded: String },
}

/// How a condition compares: exactly, by glob, or by regular expression.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as written.
    pub text: String,
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    Exact(String),
    Glob(GlobMatcher),
    Regex(Regex),
}

impl Pattern {
    /// Whether `value` matches. Tag values are given folded, and the pattern was folded alike.
    pub fn is_match(&self, value: &str) -> bool {
        match &self.matcher {
            Matcher::Exact(exact) => exact == value,
            Matcher::Glob(glob) => glob.is_match(value),
            Matcher::Regex(regex) => regex.is_match(value),
        }
    }
}

/// What a matching rule gives a charge.
#[derive(Debug, Clone)]
pub enum Assignment {
    /// A fixed value (`value = "search"`).
    Value(String),
    /// The value of a tag (`value = { tag = "team" }`); the rule matches only charges that
    /// have the tag.
    Tag { key: String, key_folded: String },
    /// A shared cost split among values (`split = { ... }`).
    Split(Split),
}

/// A shared cost's split among named values.
#[derive(Debug, Clone)]
pub struct Split {
    pub values: Vec<String>,
    pub basis: SplitBasis,
}

/// How a split weighs its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitBasis {
    /// The same share each.
    Even,
    /// Fixed percentages, one per value, adding up to exactly 100.
    Percent(Vec<Amount>),
    /// In proportion to what each value is allocated, without splits, in the same period.
    Proportional,
}

impl Rule {
    /// The rule as one line, for reports: `line 12: source = "openai", key = "proj_*" → search`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(source) = &self.source {
            parts.push(format!("source = \"{source}\""));
        }
        for condition in &self.conditions {
            let name = match &condition.field {
                Field::AttributionKey => "key".to_owned(),
                Field::SubAccount => "sub_account".to_owned(),
                Field::Model => "model".to_owned(),
                Field::Service => "service".to_owned(),
                Field::ChargeCategory => "charge_category".to_owned(),
                Field::Tag { key, .. } => format!("tags.{key}"),
            };
            let kind = match condition.pattern.matcher {
                Matcher::Regex(_) => "regex ",
                Matcher::Exact(_) | Matcher::Glob(_) => "",
            };
            parts.push(format!("{name} = {kind}\"{}\"", condition.pattern.text));
        }
        if parts.is_empty() {
            parts.push("every charge".to_owned());
        }
        let gives = match &self.assignment {
            Assignment::Value(value) => value.clone(),
            Assignment::Tag { key, .. } => format!("tag `{key}`"),
            Assignment::Split(split) => {
                let basis = match &split.basis {
                    SplitBasis::Even => "evenly",
                    SplitBasis::Percent(_) => "by percent",
                    SplitBasis::Proportional => "in proportion",
                };
                format!("split {basis} among {}", split.values.join(", "))
            }
        };
        format!("line {}: {} → {gives}", self.line, parts.join(", "))
    }
}

const RULE_FIELDS: &str = "`source`, `key`, `sub_account`, `model`, `service`, \
                           `charge_category`, `tags`, `value`, `split`";

impl Rules {
    /// Parses a rules file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, RulesError> {
        let at = |span: Option<Range<usize>>, message: String| {
            let (line, column) = span.map_or((0, 0), |span| line_and_column(text, span.start));
            RulesError {
                file: file.to_owned(),
                line,
                column,
                message,
            }
        };
        let document = DeTable::parse(text)
            .map_err(|error| at(error.span(), error.message().trim_end().to_owned()))?;

        let mut dimensions = Vec::new();
        for (name, value) in document.get_ref() {
            let DeValue::Array(rules) = value.get_ref() else {
                let name = name.get_ref();
                return Err(at(
                    Some(value.span()),
                    format!("`{name}` must be a list of rules, each under a `[[{name}]]` header"),
                ));
            };
            let mut parsed = Vec::new();
            for rule in rules {
                let DeValue::Table(table) = rule.get_ref() else {
                    return Err(at(Some(rule.span()), "a rule must be a table".to_owned()));
                };
                let line = line_and_column(text, rule.span().start).0;
                let rule = parse_rule(table, rule.span(), line)
                    .map_err(|(span, message)| at(Some(span), message))?;
                parsed.push(rule);
            }
            dimensions.push((name.get_ref().to_string(), parsed));
        }
        Ok(Rules { dimensions })
    }

    /// The rules of `dimension`, in order; none when the file does not define it.
    pub fn dimension(&self, dimension: &str) -> &[Rule] {
        self.dimensions
            .iter()
            .find(|(name, _)| name == dimension)
            .map_or(&[], |(_, rules)| rules.as_slice())
    }

    /// The names of the dimensions the file defines, sorted.
    pub fn dimensions(&self) -> impl Iterator<Item = &str> {
        self.dimensions.iter().map(|(name, _)| name.as_str())
    }
}

/// A problem in the file: the bytes it is about, and the message.
type Problem = (Range<usize>, String);

fn parse_rule(table: &DeTable<'_>, span: Range<usize>, line: usize) -> Result<Rule, Problem> {
    let mut source = None;
    let mut conditions = Vec::new();
    let mut assignment = None;
    for (key, value) in table {
        let field = match key.get_ref().as_ref() {
            "source" => {
                source = Some(string(value)?.to_owned());
                continue;
            }
            "value" => {
                assignment = Some(parse_value(value)?);
                continue;
            }
            "split" => {
                assignment = Some(Assignment::Split(parse_split(value)?));
                continue;
            }
            "tags" => {
                conditions.extend(parse_tags(value)?);
                continue;
            }
            "key" => Field::AttributionKey,
            "sub_account" => Field::SubAccount,
            "model" => Field::Model,
            "service" => Field::Service,
            "charge_category" => Field::ChargeCategory,
            unknown => {
                return Err((
                    key.span(),
                    format!("unknown field `{unknown}`, expected one of {RULE_FIELDS}"),
                ));
            }
        };
        conditions.push(Condition {
            pattern: parse_pattern(value, false)?,
            field,
        });
    }
    if table.contains_key("value") && table.contains_key("split") {
        return Err((span, "a rule has `value` or `split`, not both".to_owned()));
    }
    let Some(assignment) = assignment else {
        return Err((span, "missing field `value` (or `split`)".to_owned()));
    };
    Ok(Rule {
        line,
        source,
        conditions,
        assignment,
    })
}

fn string<'a>(value: &'a Spanned<DeValue<'_>>) -> Result<&'a str, Problem> {
    match value.get_ref() {
        DeValue::String(text) => Ok(text.as_ref()),
        _ => Err((value.span(), "expected a string".to_owned())),
    }
}

/// `tags = { team = "search", "cost center" = "cc-*" }`: one condition per tag.
fn parse_tags(value: &Spanned<DeValue<'_>>) -> Result<Vec<Condition>, Problem> {
    let DeValue::Table(tags) = value.get_ref() else {
        return Err((
            value.span(),
            "`tags` must be a table of tag keys and patterns, such as \
             `tags = { team = \"search\" }`"
                .to_owned(),
        ));
    };
    tags.iter()
        .map(|(tag, pattern)| {
            Ok(Condition {
                field: Field::Tag {
                    key: tag.get_ref().to_string(),
                    key_folded: fold(tag.get_ref()),
                },
                pattern: parse_pattern(pattern, true)?,
            })
        })
        .collect()
}

/// `"text"` (exact, or a glob when it has `*`, `?`, `[` or `{`), or a table with one of
/// `exact`, `glob` or `regex`. Tag patterns are folded, except regular expressions.
fn parse_pattern(value: &Spanned<DeValue<'_>>, tag: bool) -> Result<Pattern, Problem> {
    let (kind, text, span) = match value.get_ref() {
        DeValue::String(text) => {
            let kind = if text.contains(['*', '?', '[', '{']) {
                "glob"
            } else {
                "exact"
            };
            (kind, text.as_ref(), value.span())
        }
        DeValue::Table(table) if table.len() == 1 => {
            let (kind, text) = table.iter().next().expect("one entry");
            (kind.get_ref().as_ref(), string(text)?, text.span())
        }
        _ => {
            return Err((
                value.span(),
                "expected a pattern: a string, or `{ exact = \"...\" }`, `{ glob = \"...\" }` \
                 or `{ regex = \"...\" }`"
                    .to_owned(),
            ));
        }
    };
    let matcher = match kind {
        "exact" => Matcher::Exact(if tag { fold(text) } else { text.to_owned() }),
        "glob" => {
            let glob_text = if tag {
                fold_glob(text)
            } else {
                text.to_owned()
            };
            let glob = Glob::new(&glob_text)
                .map_err(|error| (span.clone(), format!("bad glob `{text}`: {error}")))?;
            Matcher::Glob(glob.compile_matcher())
        }
        "regex" => Matcher::Regex(
            Regex::new(text)
                .map_err(|error| (span.clone(), format!("bad regular expression: {error}")))?,
        ),
        other => {
            return Err((
                value.span(),
                format!("unknown pattern kind `{other}`, expected `exact`, `glob` or `regex`"),
            ));
        }
    };
    Ok(Pattern {
        text: text.to_owned(),
        matcher,
    })
}

/// `value = "search"` or `value = { tag = "team" }`.
fn parse_value(value: &Spanned<DeValue<'_>>) -> Result<Assignment, Problem> {
    match value.get_ref() {
        DeValue::String(text) if !text.trim().is_empty() => {
            Ok(Assignment::Value(text.trim().to_owned()))
        }
        DeValue::Table(table) if table.len() == 1 && table.contains_key("tag") => {
            let key = string(&table["tag"])?;
            Ok(Assignment::Tag {
                key: key.to_owned(),
                key_folded: fold(key),
            })
        }
        _ => Err((
            value.span(),
            "`value` must be a name, such as `value = \"search\"`, or a tag, such as \
             `value = { tag = \"team\" }`"
                .to_owned(),
        )),
    }
}

/// `split = { even = [...] }`, `{ percent = { a = 60, b = 40 } }` or
/// `{ proportional = [...] }`.
fn parse_split(value: &Spanned<DeValue<'_>>) -> Result<Split, Problem> {
    let expected = "`split` must be one of `{ even = [\"a\", \"b\"] }`, \
                    `{ percent = { a = 60, b = 40 } }` or `{ proportional = [\"a\", \"b\"] }`";
    let DeValue::Table(table) = value.get_ref() else {
        return Err((value.span(), expected.to_owned()));
    };
    let Some((kind, spec)) = table.iter().next().filter(|_| table.len() == 1) else {
        return Err((value.span(), expected.to_owned()));
    };
    let (values, basis) = match kind.get_ref().as_ref() {
        "even" => (names(spec)?, SplitBasis::Even),
        "proportional" => (names(spec)?, SplitBasis::Proportional),
        "percent" => {
            let DeValue::Table(shares) = spec.get_ref() else {
                return Err((spec.span(), expected.to_owned()));
            };
            let mut values = Vec::new();
            let mut percents = Vec::new();
            for (name, share) in shares {
                values.push(name.get_ref().to_string());
                percents.push(percent(share)?);
            }
            let total: Amount = percents.iter().sum();
            if total != Amount::parse("100").expect("a number") {
                return Err((
                    spec.span(),
                    format!("the percentages add up to {total}, not 100"),
                ));
            }
            (values, SplitBasis::Percent(percents))
        }
        _ => return Err((kind.span(), expected.to_owned())),
    };
    if values.is_empty() {
        return Err((spec.span(), "a split needs at least one value".to_owned()));
    }
    let mut folded: Vec<String> = values.iter().map(|value| fold(value)).collect();
    folded.sort();
    if let Some([twice, _]) = folded.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err((
            spec.span(),
            format!("`{twice}` is named twice in the split"),
        ));
    }
    Ok(Split { values, basis })
}

fn names(value: &Spanned<DeValue<'_>>) -> Result<Vec<String>, Problem> {
    let DeValue::Array(items) = value.get_ref() else {
        return Err((value.span(), "expected a list of names".to_owned()));
    };
    items
        .iter()
        .map(|item| string(item).map(|name| name.trim().to_owned()))
        .collect()
}

fn percent(value: &Spanned<DeValue<'_>>) -> Result<Amount, Problem> {
    let text = match value.get_ref() {
        DeValue::Integer(integer) if integer.radix() == 10 => integer.as_str(),
        DeValue::Float(float) => float.as_str(),
        _ => {
            return Err((
                value.span(),
                "expected a percentage, such as `60`".to_owned(),
            ));
        }
    };
    Amount::parse(&text.replace('_', ""))
        .ok()
        .filter(|percent| percent.raw() > 0)
        .ok_or_else(|| {
            (
                value.span(),
                format!("`{text}` is not a positive percentage"),
            )
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(text: &str) -> RulesError {
        Rules::parse("allocation.toml", text).expect_err("an invalid file")
    }

    #[test]
    fn reads_every_kind_of_condition_and_assignment() {
        let text = r#"
[[team]]
source = "gcp"
tags = { Team = "*" }
value = { tag = "team" }

[[team]]
key = { regex = "^proj_(a|b)$" }
model = "gpt-4o*"
service = "Vertex AI"
sub_account = "search-prod-123"
charge_category = "Usage"
value = "search"

[[product]]
key = "gateway"
split = { percent = { search = 60, support = 40.0 } }
"#;
        let rules = Rules::parse("allocation.toml", text).expect("valid rules");
        assert_eq!(rules.dimensions().collect::<Vec<_>>(), ["product", "team"]);
        let team = rules.dimension("team");
        assert_eq!((team[0].line, team[1].line), (2, 7));
        assert!(
            matches!(&team[0].assignment, Assignment::Tag { key_folded, .. } if key_folded == "team")
        );
        assert_eq!(
            team[0].conditions[0].field,
            Field::Tag {
                key: "Team".to_owned(),
                key_folded: "team".to_owned()
            }
        );
        let pattern = |field: Field| {
            &team[1]
                .conditions
                .iter()
                .find(|condition| condition.field == field)
                .expect("the condition")
                .pattern
        };
        assert!(pattern(Field::AttributionKey).is_match("proj_a"));
        assert!(!pattern(Field::AttributionKey).is_match("proj_c"));
        assert!(pattern(Field::Model).is_match("gpt-4o-mini"));
        let Assignment::Split(split) = &rules.dimension("product")[0].assignment else {
            panic!("a split");
        };
        assert_eq!(split.values, ["search", "support"]);
        assert_eq!(
            team[1].describe(),
            "line 7: charge_category = \"Usage\", key = regex \"^proj_(a|b)$\", model = \"gpt-4o*\", \
             service = \"Vertex AI\", sub_account = \"search-prod-123\" → search"
        );
    }

    #[test]
    fn tag_patterns_are_folded() {
        let text = "[[team]]\ntags = { \"Cost Center\" = \"ML_Plat*\" }\nvalue = \"x\"\n";
        let rules = Rules::parse("r.toml", text).expect("valid rules");
        let condition = &rules.dimension("team")[0].conditions[0];
        assert!(condition.pattern.is_match(&fold("ml platform")));
        assert!(
            matches!(&condition.field, Field::Tag { key_folded, .. } if key_folded == "cost-center")
        );
    }

    #[test]
    fn an_unknown_field_is_an_error_with_line_and_column() {
        let error = parse_error("[[team]]\nkey = \"a\"\nvalue = \"b\"\nmodle = \"gpt-4o\"\n");
        assert_eq!((error.line, error.column), (4, 1), "{error}");
        assert!(error.message.contains("unknown field `modle`"), "{error}");
        assert!(
            error.to_string().starts_with("allocation.toml:4:1: "),
            "{error}"
        );
    }

    #[test]
    fn a_missing_value_is_an_error() {
        let error = parse_error("[[team]]\nkey = \"a\"\n");
        assert!(error.message.contains("value"), "{error}");
        assert_eq!(error.line, 1, "{error}");
    }

    #[test]
    fn a_bad_glob_is_an_error_not_a_silent_no_match() {
        let error = parse_error("[[team]]\nkey = \"proj_[a\"\nvalue = \"x\"\n");
        assert!(error.message.contains("bad glob"), "{error}");
        assert_eq!((error.line, error.column), (2, 7), "{error}");
    }

    #[test]
    fn a_bad_regex_is_an_error_at_the_regex() {
        let error = parse_error("[[team]]\nkey = { regex = \"proj_(a\" }\nvalue = \"x\"\n");
        assert!(
            error.message.starts_with("bad regular expression"),
            "{error}"
        );
        assert_eq!((error.line, error.column), (2, 17), "{error}");
    }

    #[test]
    fn percentages_must_add_up_to_a_hundred() {
        let error =
            parse_error("[[team]]\nkey = \"g\"\nsplit = { percent = { a = 60, b = 30 } }\n");
        assert_eq!(error.message, "the percentages add up to 90, not 100");
        assert_eq!((error.line, error.column), (3, 21), "{error}");
        let error =
            parse_error("[[team]]\nkey = \"g\"\nsplit = { percent = { a = 0, b = 100 } }\n");
        assert_eq!(error.message, "`0` is not a positive percentage");
    }

    #[test]
    fn splits_and_values_are_checked() {
        let error = parse_error("[[team]]\nkey = \"g\"\nsplit = { even = [\"a\", \"A\"] }\n");
        assert_eq!(error.message, "`a` is named twice in the split");
        let error = parse_error("[[team]]\nkey = \"g\"\nsplit = { evenly = [\"a\"] }\n");
        assert!(
            error.message.starts_with("`split` must be one of"),
            "{error}"
        );
        let error =
            parse_error("[[team]]\nkey = \"g\"\nvalue = \"a\"\nsplit = { even = [\"a\"] }\n");
        assert_eq!(error.message, "a rule has `value` or `split`, not both");
        let error = parse_error("team = \"a\"\n");
        assert_eq!((error.line, error.column), (1, 8), "{error}");
    }

    #[test]
    fn a_toml_syntax_error_has_its_place() {
        let error = parse_error("[[team]]\nkey = \"a\nvalue = \"b\"\n");
        assert_eq!(error.line, 2, "{error}");
    }
}
