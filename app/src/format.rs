//! Numbers and dates as a person reads them: money to the cent with thousands separators and
//! the currency, counts with separators, shares in percent, dates with the month's name.

use allot_core::Amount;
use time::Date;

/// `amount` rounded to the cent, with thousands separators, the currency's symbol where it has
/// a well-known one, and its code: `$1,234,567.89 USD`, `-€12.50 EUR`, `1,000.00 CHF`.
pub fn money(amount: Amount, currency: &str) -> String {
    let figure = money_in_column(amount, currency);
    if currency.is_empty() {
        figure
    } else {
        format!("{figure} {currency}")
    }
}

/// `amount` as [`money`] writes it but without the code, for a column whose header names the
/// currency: `$1,234,567.89`, `1,000.00`.
pub fn money_in_column(amount: Amount, currency: &str) -> String {
    let rounded = amount.format_rounded(2);
    let (sign, digits) = match rounded.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", rounded.as_str()),
    };
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    format!(
        "{sign}{}{}.{cents}",
        currency_symbol(currency),
        group_thousands(whole)
    )
}

/// The symbol written before amounts of `currency`, or nothing when the code alone is clearer.
pub fn currency_symbol(currency: &str) -> &'static str {
    match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "INR" => "₹",
        _ => "",
    }
}

/// A count with thousands separators: `12,345`.
pub fn count(value: usize) -> String {
    group_thousands(&value.to_string())
}

/// `part` as a percentage of `whole`, to one decimal: `12.5%`; a dash when `whole` is zero.
pub fn share(part: Amount, whole: Amount) -> String {
    if whole == Amount::ZERO {
        return "–".to_owned();
    }
    format!("{:.1}%", part.to_f64() / whole.to_f64() * 100.0)
}

/// `date` as `5 Sep 2026`.
pub fn date(date: Date) -> String {
    let month = date.month().to_string();
    format!("{} {} {}", date.day(), &month[..3], date.year())
}

/// `date` as the `YYYY-MM-DD` that date inputs and plotly read.
pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Inserts a comma every three digits from the right of a string of digits.
fn group_thousands(digits: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> Amount {
        Amount::parse(text).expect("valid amount")
    }

    #[test]
    fn money_has_cents_separators_and_currency() {
        assert_eq!(money(amount("1234567.891"), "USD"), "$1,234,567.89 USD");
        assert_eq!(money(amount("412.80375"), "USD"), "$412.80 USD");
        assert_eq!(money(amount("-12.5"), "EUR"), "-€12.50 EUR");
        assert_eq!(money(amount("1000"), "CHF"), "1,000.00 CHF");
        assert_eq!(money(amount("0.004"), "USD"), "$0.00 USD");
        assert_eq!(money(amount("999.999"), "USD"), "$1,000.00 USD");
        assert_eq!(money(Amount::ZERO, ""), "0.00");
        assert_eq!(money_in_column(amount("-1234.5"), "USD"), "-$1,234.50");
        assert_eq!(money_in_column(amount("1000"), "CHF"), "1,000.00");
    }

    #[test]
    fn counts_and_shares() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(12_345_678), "12,345,678");
        assert_eq!(share(amount("1"), amount("8")), "12.5%");
        assert_eq!(share(amount("1"), Amount::ZERO), "–");
    }

    #[test]
    fn dates() {
        let day = time::macros::date!(2026 - 09 - 05);
        assert_eq!(date(day), "5 Sep 2026");
        assert_eq!(iso_date(day), "2026-09-05");
    }
}
