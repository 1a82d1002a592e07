//! Splitting a shared cost into parts that add up exactly to the whole.
//!
//! The policy, for an amount split by positive weights (equal ones, percentages, or what each
//! value spends elsewhere):
//!
//! 1. The amount's magnitude is cut into whole minor units of its currency (cents for USD and
//!    EUR, see [`minor_unit_decimals`]) and the rest below one unit.
//! 2. Each part gets the floor of its exact share of the whole units.
//! 3. The units left over (fewer than the number of parts) go one each to the parts with the
//!    largest remainders of that division; equal remainders go to the earlier part.
//! 4. The rest below one unit, which only amounts billed in fractions of a cent have, goes to
//!    the first part of that same ranking.
//! 5. The sign of the amount is put back: a credit splits into credits, a cost into costs.
//!
//! So every part is a whole number of cents except at most one, the parts add up to the amount
//! to the last of its 24 decimals, and no part has the opposite sign of the whole. 60/40 of
//! 100.01 USD is 60.01 and 40.00.

use crate::money::Amount;
use crate::schema::DECIMAL_SCALE;

/// Digits after the point of the smallest unit of `currency` (ISO 4217): 0 for the yen and
/// the won, 3 for the Gulf dinars, 2 for every other currency.
pub fn minor_unit_decimals(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Splits `amount` by `weights` at the precision of `decimals` digits, as described in the
/// module documentation: one part per weight, in order, a zero weight getting zero. `None`
/// when no weight is positive: the split has no basis.
pub fn split_amount(amount: Amount, weights: &[u128], decimals: u32) -> Option<Vec<Amount>> {
    let scale = DECIMAL_SCALE.unsigned_abs().into();
    let unit = 10_u128.pow(scale - decimals.min(scale));
    let magnitude = amount.raw().unsigned_abs();
    let (units, below_unit) = (magnitude / unit, magnitude % unit);
    let weights = fitting_weights(weights, units)?;
    let total: u128 = weights.iter().sum();

    let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::new();
    for (index, &weight) in weights.iter().enumerate() {
        let exact = units * weight;
        parts.push(exact / total);
        if weight > 0 {
            remainders.push((exact % total, index));
        }
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let leftover = units - parts.iter().sum::<u128>();
    for &(_, index) in remainders
        .iter()
        .take(usize::try_from(leftover).unwrap_or(usize::MAX))
    {
        parts[index] += 1;
    }

    let first = remainders.first().map(|&(_, index)| index)?;
    let sign = if amount.raw() < 0 { -1 } else { 1 };
    Some(
        parts
            .iter()
            .enumerate()
            .map(|(index, &part)| {
                let extra = if index == first { below_unit } else { 0 };
                let raw = i128::try_from(part * unit + extra).expect("a part is at most the whole");
                Amount::from_raw(sign * raw)
            })
            .collect(),
    )
}

/// The weights, halved as often as needed so that `units` times any of them and their sum fit
/// in a `u128`; `None` when none is positive. Halving changes a proportion by less than one
/// part in 2⁶⁰ for any realistic amount, far below a cent.
fn fitting_weights(weights: &[u128], units: u128) -> Option<Vec<u128>> {
    let mut weights = weights.to_vec();
    loop {
        let total = weights
            .iter()
            .try_fold(0_u128, |sum, &weight| sum.checked_add(weight));
        match total {
            Some(0) => return None,
            Some(total) if units.checked_mul(total).is_some() => return Some(weights),
            _ => weights.iter_mut().for_each(|weight| *weight >>= 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> Amount {
        Amount::parse(text).expect("valid amount")
    }

    fn split(text: &str, weights: &[u128]) -> Vec<String> {
        split_amount(amount(text), weights, 2)
            .expect("a basis")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn sixty_forty_of_a_hundred_and_one_cent() {
        assert_eq!(split("100.01", &[60, 40]), ["60.01", "40"]);
        assert_eq!(split("100.01", &[40, 60]), ["40", "60.01"]);
    }

    #[test]
    fn even_thirds_give_the_extra_cent_to_the_first() {
        assert_eq!(split("100", &[1, 1, 1]), ["33.34", "33.33", "33.33"]);
        assert_eq!(split("0.02", &[1, 1, 1]), ["0.01", "0.01", "0"]);
    }

    #[test]
    fn the_rest_below_a_cent_goes_to_the_first_of_the_ranking() {
        assert_eq!(split("1.00375", &[1, 3]), ["0.25375", "0.75"]);
        assert_eq!(split("0.003", &[1, 1]), ["0.003", "0"]);
    }

    #[test]
    fn credits_split_into_credits() {
        assert_eq!(split("-100.01", &[60, 40]), ["-60.01", "-40"]);
    }

    #[test]
    fn zero_weights_get_nothing_and_no_weight_is_no_basis() {
        assert_eq!(split("10", &[0, 1, 0]), ["0", "10", "0"]);
        assert_eq!(split_amount(amount("10"), &[0, 0], 2), None);
        assert_eq!(split_amount(amount("10"), &[], 2), None);
    }

    #[test]
    fn huge_weights_still_conserve_the_amount() {
        let whole = amount("12345678.91");
        let weights = [u128::MAX / 3, u128::MAX / 5, 7];
        let parts = split_amount(whole, &weights, 2).expect("a basis");
        assert_eq!(parts.iter().sum::<Amount>(), whole);
        assert!(parts.iter().all(|part| part.raw() >= 0));
    }

    #[test]
    fn currencies_have_their_minor_units() {
        assert_eq!(minor_unit_decimals("USD"), 2);
        assert_eq!(minor_unit_decimals("JPY"), 0);
        assert_eq!(minor_unit_decimals("KWD"), 3);
        assert_eq!(
            split_amount(amount("100"), &[1, 1, 1], 0).map(|p| p[0]),
            Some(amount("34"))
        );
    }
}
