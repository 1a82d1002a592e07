//! Rules matched against a table's combinations, each condition's answer remembered per
//! distinct field value: a glob or regular expression runs once per distinct key, model or tag
//! set, however many combinations share it.

use crate::allocation::{Assignment, Field, Rule};
use crate::hash::FastMap;
use crate::table::{ChargeTable, Combination, Symbol, Tag};

/// An answer not yet known.
const UNKNOWN: u8 = 0;
const NO: u8 = 1;
const YES: u8 = 2;

/// The rules of a dimension, ready to match the combinations of one table.
pub(crate) struct RuleMatcher<'a> {
    table: &'a ChargeTable,
    rules: &'a [Rule],
    /// Per rule, the sources it applies to.
    scopes: Vec<Scope>,
    /// Per rule, per condition: the answer per symbol (or per tag set, for tag conditions).
    answers: Vec<Vec<Vec<u8>>>,
    /// Lists of the rules that may match, by source and attribution key.
    candidates: Vec<Vec<usize>>,
    candidates_of_key: FastMap<(Symbol, Symbol), usize>,
}

/// The sources a rule applies to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Every,
    Source(Symbol),
    /// A source the table does not have: the rule matches nothing.
    Absent,
}

impl<'a> RuleMatcher<'a> {
    pub(crate) fn new(table: &'a ChargeTable, rules: &'a [Rule]) -> Self {
        let scopes = rules
            .iter()
            .map(|rule| match rule.source.as_deref() {
                None => Scope::Every,
                Some(source) => table
                    .strings
                    .find(source)
                    .map_or(Scope::Absent, Scope::Source),
            })
            .collect();
        let answers = rules
            .iter()
            .map(|rule| rule.conditions.iter().map(|_| Vec::new()).collect())
            .collect();
        RuleMatcher {
            table,
            rules,
            scopes,
            answers,
            candidates: Vec::new(),
            candidates_of_key: FastMap::default(),
        }
    }

    /// The index of the first rule that matches the charges of `combination`.
    ///
    /// Most rules are decided by the source and the attribution key alone, so the rules that
    /// can match are listed once per distinct (source, key), and only those are tried.
    pub(crate) fn first_match(&mut self, combination: &Combination) -> Option<usize> {
        let pair = (combination.source, combination.attribution_key);
        let list = if let Some(&list) = self.candidates_of_key.get(&pair) {
            list
        } else {
            let candidates = (0..self.rules.len())
                .filter(|&index| self.may_match(index, combination))
                .collect();
            self.candidates.push(candidates);
            self.candidates_of_key
                .insert(pair, self.candidates.len() - 1);
            self.candidates.len() - 1
        };
        for position in 0..self.candidates[list].len() {
            let index = self.candidates[list][position];
            if self.rest_matches(index, combination) {
                return Some(index);
            }
        }
        None
    }

    /// Whether rule `index` matches the charges of `combination`.
    pub(crate) fn matches(&mut self, index: usize, combination: &Combination) -> bool {
        self.may_match(index, combination) && self.rest_matches(index, combination)
    }

    /// Whether the conditions of rule `index` other than its source and attribution key hold,
    /// and it can give `combination` a value.
    fn rest_matches(&mut self, index: usize, combination: &Combination) -> bool {
        let rule = &self.rules[index];
        for condition in 0..rule.conditions.len() {
            if rule.conditions[condition].field != Field::AttributionKey
                && !self.holds(index, condition, combination)
            {
                return false;
            }
        }
        match &rule.assignment {
            Assignment::Tag { key_folded, .. } => tag(self.table, combination, key_folded)
                .is_some_and(|tag| !tag.value_folded.is_empty()),
            Assignment::Value(_) | Assignment::Split(_) => true,
        }
    }

    /// Whether rule `index` applies to the source of `combination` and its attribution key
    /// conditions hold.
    fn may_match(&mut self, index: usize, combination: &Combination) -> bool {
        match self.scopes[index] {
            Scope::Every => {}
            Scope::Source(source) if source == combination.source => {}
            Scope::Source(_) | Scope::Absent => return false,
        }
        let rule = &self.rules[index];
        (0..rule.conditions.len())
            .filter(|&condition| rule.conditions[condition].field == Field::AttributionKey)
            .all(|condition| self.holds(index, condition, combination))
    }

    /// Whether condition `condition` of rule `index` holds for `combination`, remembered per
    /// distinct field value.
    fn holds(&mut self, index: usize, condition: usize, combination: &Combination) -> bool {
        let rule_condition = &self.rules[index].conditions[condition];
        let (slot, slots) = match &rule_condition.field {
            Field::AttributionKey => (combination.attribution_key, self.table.strings.len()),
            Field::SubAccount => (combination.sub_account, self.table.strings.len()),
            Field::Model => (combination.model, self.table.strings.len()),
            Field::Service => (combination.service, self.table.strings.len()),
            Field::ChargeCategory => (combination.charge_category, self.table.strings.len()),
            Field::Tag { .. } => (combination.tags, self.table.tag_sets.len()),
        };
        let answers = &mut self.answers[index][condition];
        if answers.len() < slots {
            answers.resize(slots, UNKNOWN);
        }
        let answer = &mut answers[slot as usize];
        if *answer == UNKNOWN {
            let value = match &rule_condition.field {
                Field::Tag { key_folded, .. } => {
                    tag(self.table, combination, key_folded).map(|tag| tag.value_folded.as_str())
                }
                _ => Some(self.table.strings.get(slot)),
            };
            let holds = value.is_some_and(|value| rule_condition.pattern.is_match(value));
            *answer = if holds { YES } else { NO };
        }
        *answer == YES
    }
}

/// The tag of `combination` whose folded key is `key_folded`.
pub(crate) fn tag<'a>(
    table: &'a ChargeTable,
    combination: &Combination,
    key_folded: &str,
) -> Option<&'a Tag> {
    table.tag_sets[combination.tags as usize]
        .iter()
        .find(|tag| tag.key_folded == key_folded)
}
