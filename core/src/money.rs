//! Exact amounts: money and quantities as fixed-point integers at the schema's decimal scale.
//!
//! Vendors write money as decimal strings (Anthropic, in cents), JSON floats (OpenAI, in
//! dollars) or CSV text (the clouds). Each is parsed from its text, never through a float, and
//! held as an [`Amount`]: an `i128` count of 10⁻²⁴ units, the raw value of the Parquet
//! `Decimal128(38, 24)` columns. Sums of amounts are exact.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::schema::DECIMAL_SCALE;

/// 10²⁴: one unit of currency (or one token) in [`Amount`]'s raw representation.
/// [`DECIMAL_SCALE`] as a power of ten's exponent.
const SCALE: u32 = DECIMAL_SCALE.unsigned_abs() as u32;

const ONE: i128 = 1_000_000_000_000_000_000_000_000;

/// Why a text is not an exact amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("`{0}` is not a decimal number")]
    NotANumber(String),
    #[error("`{0}` has more than 24 digits after the decimal point and cannot be kept exactly")]
    TooPrecise(String),
    #[error("`{0}` is too large to store")]
    TooLarge(String),
}

/// An exact decimal amount with 24 digits after the point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(i128);

impl Amount {
    pub const ZERO: Amount = Amount(0);

    /// Wraps a raw `Decimal128(38, 24)` value.
    pub const fn from_raw(raw: i128) -> Self {
        Amount(raw)
    }

    /// The raw `Decimal128(38, 24)` value.
    pub const fn raw(self) -> i128 {
        self.0
    }

    /// Parses a decimal text such as `41280.000000`, `-0.05`, `0.13080438340307526` or `3e-06`,
    /// without rounding: a text that cannot be held exactly is an error.
    pub fn parse(text: &str) -> Result<Self, AmountError> {
        let trimmed = text.trim();
        if let Some(amount) = Self::parse_plain(trimmed) {
            return Ok(amount);
        }
        let decimal = if trimmed.contains(['e', 'E']) {
            Decimal::from_scientific(trimmed)
        } else if trimmed.contains('.') {
            // Trailing zeros carry no value but count against `Decimal`'s 28 digits: DuckDB and
            // Parquet readers print this scale's amounts with all 24 decimals.
            Decimal::from_str_exact(trimmed.trim_end_matches('0').trim_end_matches('.'))
        } else {
            Decimal::from_str_exact(trimmed)
        }
        .map_err(|_| AmountError::NotANumber(text.to_owned()))?;
        Self::try_from_decimal(decimal).map_err(|error| match error {
            AmountError::TooPrecise(_) => AmountError::TooPrecise(text.to_owned()),
            _ => AmountError::TooLarge(text.to_owned()),
        })
    }

    /// The common case of [`Amount::parse`], without going through [`Decimal`]: `-12.5`,
    /// `0.000271`, `1.5e-7`, as exports and float formatting write them (a large export has
    /// millions of amounts). `None` for anything else, and for what cannot be held exactly,
    /// which the general path then reads or explains.
    fn parse_plain(text: &str) -> Option<Self> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (number, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], unsigned[at + 1..].parse::<i32>().ok()?),
            None => (unsigned, 0),
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() || exponent.unsigned_abs() > 64 {
            return None;
        }
        let mut digits: i128 = 0;
        let mut significant = 0;
        for byte in whole.bytes().chain(fraction.bytes()) {
            if !byte.is_ascii_digit() {
                return None;
            }
            if digits > 0 || byte != b'0' {
                significant += 1;
            }
            if significant > 38 {
                return None;
            }
            digits = digits * 10 + i128::from(byte - b'0');
        }
        let fraction_digits = i32::try_from(fraction.len()).ok()?;
        let shift = i32::try_from(SCALE).ok()? + exponent - fraction_digits;
        let raw = if shift >= 0 {
            digits.checked_mul(10_i128.checked_pow(shift.unsigned_abs())?)?
        } else {
            let divisor = 10_i128.checked_pow(shift.unsigned_abs())?;
            if digits % divisor != 0 {
                return None;
            }
            digits / divisor
        };
        if raw.unsigned_abs() >= 10_u128.pow(38) {
            return None;
        }
        Some(Amount(if negative { -raw } else { raw }))
    }

    /// Parses an amount written in minor units of a currency with two decimals (cents), such as
    /// Anthropic's `"123.45"` for $1.2345.
    pub fn parse_cents(text: &str) -> Result<Self, AmountError> {
        let cents = Self::parse(text)?;
        // Dividing by 100 moves two digits past the 24th decimal unless they are zero.
        if cents.0 % 100 != 0 {
            return Err(AmountError::TooPrecise(text.to_owned()));
        }
        Ok(Amount(cents.0 / 100))
    }

    /// Converts a [`Decimal`] exactly.
    pub fn try_from_decimal(decimal: Decimal) -> Result<Self, AmountError> {
        let normalized = decimal.normalize();
        let scale = normalized.scale();
        let target = SCALE;
        if scale > target {
            return Err(AmountError::TooPrecise(decimal.to_string()));
        }
        let factor = 10_i128.pow(target - scale);
        normalized
            .mantissa()
            .checked_mul(factor)
            .filter(|raw| raw.unsigned_abs() < 10_u128.pow(38))
            .map(Amount)
            .ok_or_else(|| AmountError::TooLarge(decimal.to_string()))
    }

    /// The nearest `f64`, for drawing charts; never for sums.
    #[expect(
        clippy::cast_precision_loss,
        reason = "charts need floats; sums stay exact"
    )]
    pub fn to_f64(self) -> f64 {
        let whole = (self.0 / ONE) as f64;
        let fraction = (self.0 % ONE) as f64 / ONE as f64;
        whole + fraction
    }

    /// Divides by a whole number when the quotient is exact at this scale.
    pub fn checked_div_exact(self, divisor: i128) -> Option<Self> {
        (divisor != 0 && self.0 % divisor == 0).then(|| Amount(self.0 / divisor))
    }

    /// A whole number (a count of tokens, say), when it fits.
    pub fn from_whole(value: i128) -> Option<Self> {
        value
            .checked_mul(ONE)
            .filter(|raw| raw.unsigned_abs() < 10_u128.pow(38))
            .map(Amount)
    }

    /// Multiplies by a whole number, for splits, prices and tests.
    pub fn checked_mul_int(self, factor: i128) -> Option<Self> {
        self.0.checked_mul(factor).map(Amount)
    }

    /// The amount rounded half away from zero to `decimals` digits, as text with exactly that
    /// many decimals: `12.505` at 2 decimals is `12.51`.
    pub fn format_rounded(self, decimals: u32) -> String {
        let decimals = decimals.min(SCALE);
        let unit = 10_i128.pow(SCALE - decimals);
        let half = unit / 2;
        let magnitude = self.0.unsigned_abs();
        let rounded = (magnitude + half.unsigned_abs()) / unit.unsigned_abs();
        let sign = if self.0 < 0 && rounded != 0 { "-" } else { "" };
        if decimals == 0 {
            return format!("{sign}{rounded}");
        }
        let divisor = 10_u128.pow(decimals);
        let width = decimals as usize;
        format!("{sign}{}.{:0width$}", rounded / divisor, rounded % divisor)
    }
}

impl fmt::Display for Amount {
    /// The exact value with trailing zeros removed: `412.8`, `0.00375`, `-0.05`, `12`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let one = ONE.unsigned_abs();
        let (whole, fraction) = (magnitude / one, magnitude % one);
        if fraction == 0 {
            return write!(formatter, "{sign}{whole}");
        }
        let digits = format!("{fraction:024}");
        write!(formatter, "{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

impl FromStr for Amount {
    type Err = AmountError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Amount::parse(text)
    }
}

impl Add for Amount {
    type Output = Amount;

    fn add(self, other: Amount) -> Amount {
        Amount(self.0 + other.0)
    }
}

impl AddAssign for Amount {
    fn add_assign(&mut self, other: Amount) {
        self.0 += other.0;
    }
}

impl Sub for Amount {
    type Output = Amount;

    fn sub(self, other: Amount) -> Amount {
        Amount(self.0 - other.0)
    }
}

impl Neg for Amount {
    type Output = Amount;

    fn neg(self) -> Amount {
        Amount(-self.0)
    }
}

impl Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Amount {
        iter.fold(Amount::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Amount> for Amount {
    fn sum<I: Iterator<Item = &'a Amount>>(iter: I) -> Amount {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> Amount {
        Amount::parse(text).expect("valid amount")
    }

    #[test]
    fn keeps_every_digit_of_a_float_text() {
        assert_eq!(
            amount("0.13080438340307526").to_string(),
            "0.13080438340307526"
        );
        assert_eq!(amount("9.888144383403077").to_string(), "9.888144383403077");
        assert_eq!(
            amount("0.00032195744715549047").to_string(),
            "0.00032195744715549047"
        );
        assert_eq!(amount("12").to_string(), "12");
        assert_eq!(
            amount("191513.360735400000000000000000").to_string(),
            "191513.3607354"
        );
        assert_eq!(amount("100.").to_string(), "100");
    }

    /// The fast path and the general one agree wherever both can read a text.
    #[test]
    fn plain_texts_read_as_decimals_do() {
        let texts = [
            "0",
            "-0",
            "12",
            "-0.05",
            "41280.000000",
            "0.13080438340307526",
            "1.5E2",
            "3e-06",
            "1e-7",
            "-2.5e+3",
            "000.0100",
            "9999999999999.999999",
            "1e-24",
            "123456789e-20",
        ];
        for text in texts {
            let plain = Amount::parse_plain(text).unwrap_or_else(|| panic!("{text} is plain"));
            let decimal = if text.contains(['e', 'E']) {
                Decimal::from_scientific(text)
            } else {
                Decimal::from_str_exact(text)
            }
            .expect("a decimal");
            assert_eq!(
                plain,
                Amount::try_from_decimal(decimal).expect("exact"),
                "{text}"
            );
        }
        for text in [
            "", "-", ".5", "1.2.3", "1e", "12,50", "1e-25", "0x10", "+1", "1 000",
        ] {
            assert_eq!(Amount::parse_plain(text), None, "{text}");
        }
    }

    #[test]
    fn reads_scientific_notation() {
        assert_eq!(amount("3e-06").to_string(), "0.000003");
        assert_eq!(amount("1.5E2").to_string(), "150");
    }

    #[test]
    fn cents_become_currency_units() {
        assert_eq!(
            Amount::parse_cents("41280.000000")
                .expect("cents")
                .to_string(),
            "412.8"
        );
        assert_eq!(
            Amount::parse_cents("0.375").expect("cents").to_string(),
            "0.00375"
        );
        assert_eq!(
            Amount::parse_cents("250.5").expect("cents").to_string(),
            "2.505"
        );
        assert_eq!(
            Amount::parse_cents("-12").expect("cents").to_string(),
            "-0.12"
        );
    }

    #[test]
    fn refuses_what_it_cannot_keep_exactly() {
        assert!(matches!(
            Amount::parse("0.1234567890123456789012345"),
            Err(AmountError::TooPrecise(_))
        ));
        assert!(matches!(
            Amount::parse_cents("0.12345678901234567890123"),
            Err(AmountError::TooPrecise(_))
        ));
        assert!(matches!(
            Amount::parse("12,50"),
            Err(AmountError::NotANumber(_))
        ));
        assert!(matches!(Amount::parse(""), Err(AmountError::NotANumber(_))));
        assert!(matches!(
            Amount::parse("1e20"),
            Err(AmountError::TooLarge(_))
        ));
    }

    #[test]
    fn whole_numbers_fit_up_to_fourteen_digits() {
        assert_eq!(Amount::from_whole(1_200_000), Some(amount("1200000")));
        assert_eq!(Amount::from_whole(-3), Some(amount("-3")));
        assert_eq!(Amount::from_whole(10_i128.pow(14)), None);
    }

    #[test]
    fn divides_only_when_exact() {
        assert_eq!(
            amount("1520000").checked_div_exact(1000),
            Some(amount("1520"))
        );
        assert_eq!(amount("1").checked_div_exact(0), None);
    }

    #[test]
    fn sums_are_exact() {
        let total: Amount = ["0.1", "0.2", "0.000271"].iter().map(|t| amount(t)).sum();
        assert_eq!(total.to_string(), "0.300271");
        assert_eq!((amount("1") - amount("1.05")).to_string(), "-0.05");
    }

    #[test]
    fn rounds_for_display_half_away_from_zero() {
        assert_eq!(amount("12.505").format_rounded(2), "12.51");
        assert_eq!(amount("-0.005").format_rounded(2), "-0.01");
        assert_eq!(amount("-0.004").format_rounded(2), "0.00");
        assert_eq!(amount("412.8").format_rounded(2), "412.80");
        assert_eq!(amount("1234.5").format_rounded(0), "1235");
    }

    #[test]
    fn converts_to_float_for_charts() {
        assert!((amount("412.80375").to_f64() - 412.803_75).abs() < 1e-9);
    }
}
