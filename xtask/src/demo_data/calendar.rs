//! The demo period and the shape of spend over it: growth, quiet weekends, day-to-day noise, a
//! key launched mid-period, a one-off backfill and a slow migration between models.

use anyhow::Context as _;
use rand::Rng;
use time::{Date, Duration, Month, Weekday};

/// How many UTC days the demo covers, the last one being the end date.
const PERIOD_DAYS: i64 = 183;
const AVERAGE_MONTH_DAYS: f64 = 30.44;
/// How many days a newly launched key takes to reach its full use.
const LAUNCH_RAMP_DAYS: f64 = 10.0;
/// The days of the period, counted from its first day, over which migrations happen.
const MIGRATION_FIRST_DAY: f64 = 45.0;
const MIGRATION_LAST_DAY: f64 = 135.0;

/// The UTC days of the demo and the dates of its one-off events.
pub(super) struct Period {
    days: Vec<Date>,
    /// The day the new key starts to be used: the 15th of the period's fourth month.
    new_key_launch: Date,
    /// The two days of the batch backfill: the second Tuesday of the period's fifth month and
    /// the day after.
    backfill: [Date; 2],
}

impl Period {
    pub(super) fn ending_on(end_date: Date) -> anyhow::Result<Self> {
        let first_day = end_date
            .checked_sub(Duration::days(PERIOD_DAYS - 1))
            .with_context(|| format!("the demo period ending on `{end_date}` starts too early"))?;
        let days = (0..PERIOD_DAYS)
            .map(|offset| first_day + Duration::days(offset))
            .collect();

        let new_key_launch = day_of_later_month(first_day, 3, 15)?;
        let mut backfill_start = day_of_later_month(first_day, 4, 8)?;
        while backfill_start.weekday() != Weekday::Tuesday {
            backfill_start = backfill_start
                .next_day()
                .context("the backfill date overflows")?;
        }
        let backfill_end = backfill_start
            .next_day()
            .context("the backfill date overflows")?;

        Ok(Self {
            days,
            new_key_launch,
            backfill: [backfill_start, backfill_end],
        })
    }

    /// Every day of the period, oldest first.
    pub(super) fn days(&self) -> &[Date] {
        &self.days
    }

    #[cfg(test)]
    pub(super) fn new_key_launch(&self) -> Date {
        self.new_key_launch
    }

    #[cfg(test)]
    pub(super) fn backfill(&self) -> [Date; 2] {
        self.backfill
    }

    /// How far a migration between models has gone on `day`: 0 before it starts, 1 once done.
    pub(super) fn migration_progress(&self, day: Date) -> f64 {
        let elapsed = self.days_elapsed(day);
        ((elapsed - MIGRATION_FIRST_DAY) / (MIGRATION_LAST_DAY - MIGRATION_FIRST_DAY))
            .clamp(0.0, 1.0)
    }

    fn days_elapsed(&self, day: Date) -> f64 {
        f64::from(day.to_julian_day() - self.days[0].to_julian_day())
    }
}

/// Day `day` of the month `months_later` months after the month of `date`.
fn day_of_later_month(date: Date, months_later: u8, day: u8) -> anyhow::Result<Date> {
    let month_index = u8::from(date.month()) - 1 + months_later;
    let year = date.year() + i32::from(month_index / 12);
    let month = Month::try_from(month_index % 12 + 1)?;
    Ok(Date::from_calendar_date(year, month, day)?)
}

/// When a workload runs.
#[derive(Clone, Copy)]
pub(super) enum Schedule {
    /// Every day of the period.
    Ongoing,
    /// From the new key's launch on, ramping up over its first days.
    FromNewKeyLaunch,
    /// On the two days of the batch backfill only.
    Backfill,
}

/// How much a workload spends, and how that changes over the period.
pub(super) struct Demand {
    /// What it costs on a weekday at the start of the period (or at launch), in US dollars.
    pub weekday_usd: f64,
    /// Month-over-month growth: 0.08 is 8% more each month.
    pub monthly_growth: f64,
    /// What a weekend day costs as a share of a weekday: 0 when it does not run on weekends.
    pub weekend_share: f64,
    pub schedule: Schedule,
}

impl Demand {
    /// What the workload costs on `day` in US dollars, noise included; 0 when it does not run.
    pub(super) fn usd_on(&self, period: &Period, day: Date, rng: &mut impl Rng) -> f64 {
        let noise = rng.random_range(0.85..1.15);
        let since = match self.schedule {
            Schedule::Ongoing => period.days[0],
            Schedule::FromNewKeyLaunch if day >= period.new_key_launch => period.new_key_launch,
            Schedule::Backfill if period.backfill.contains(&day) => day,
            Schedule::FromNewKeyLaunch | Schedule::Backfill => return 0.0,
        };
        let days_running = f64::from(day.to_julian_day() - since.to_julian_day());
        let ramp = match self.schedule {
            Schedule::FromNewKeyLaunch => ((days_running + 1.0) / LAUNCH_RAMP_DAYS).min(1.0),
            Schedule::Ongoing | Schedule::Backfill => 1.0,
        };
        let growth = (1.0 + self.monthly_growth).powf(days_running / AVERAGE_MONTH_DAYS);
        let weekday = if matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            self.weekend_share
        } else {
            1.0
        };
        self.weekday_usd * growth * ramp * weekday * noise
    }
}

/// A share of a workload's tokens moving to a newer model over the period.
pub(super) struct Migration<M: 'static> {
    pub to: &'static M,
    /// The share of the tokens on the new model once the migration is done.
    pub final_share: f64,
}

/// The models a workload's tokens go to on `day`, each with its share of the tokens.
pub(super) fn model_split<M>(
    model: &'static M,
    migration: Option<&Migration<M>>,
    period: &Period,
    day: Date,
) -> Vec<(&'static M, f64)> {
    match migration {
        None => vec![(model, 1.0)],
        Some(migration) => {
            let migrated = migration.final_share * period.migration_progress(day);
            vec![(model, 1.0 - migrated), (migration.to, migrated)]
        }
    }
}

/// A small random factor that makes each row of a day differ a little from its siblings.
pub(super) fn row_noise(rng: &mut impl Rng) -> f64 {
    rng.random_range(0.94..1.06)
}
