//! Community time. Days, weeks and months are read in the community's local
//! time (`Settings::utc_offset_minutes`, default UTC+8), and `local` is the
//! one function that decides which day an instant falls on: a wish filed at
//! 05:00 on 1 December in Beijing (21:00 on 30 November UTC) counts in
//! December. The core never reads a clock; instants arrive as epoch ms.

/// Milliseconds in a day.
pub const DAY_MS: u64 = 86_400_000;

/// The local calendar day of an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDay {
    /// Days since 1970-01-01 in local time.
    pub days: i64,
    /// Year (proleptic Gregorian).
    pub year: i64,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
    /// Monday = 0 … Sunday = 6 (bit `weekday` of `Resource::weekdays`).
    pub weekday: u32,
}

impl LocalDay {
    /// "YYYY-MM", the key of a month in rates, pickers and CSV files.
    pub fn month_key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// The local day of `ms` at `offset_min` minutes from UTC
/// (civil-from-days, proleptic Gregorian).
pub fn local(ms: u64, offset_min: i32) -> LocalDay {
    let local_ms = ms as i64 + i64::from(offset_min) * 60_000;
    let days = local_ms.div_euclid(DAY_MS as i64);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    LocalDay {
        days,
        year,
        month,
        day,
        // 1970-01-01 was a Thursday.
        weekday: (days + 3).rem_euclid(7) as u32,
    }
}

/// Days since 1970-01-01 of a civil date (days-from-civil, proleptic
/// Gregorian): the inverse of `local`'s calendar part.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days in a month of a year.
pub fn month_days(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The instant a form's "YYYY-MM-DDTHH:MM" (an `<input type=datetime-local>`
/// value; a space for the T also reads) names in community time at
/// `offset_min` from UTC: the inverse of `activities::local_time`. `None`
/// for anything else, a day that does not exist, or before 1970.
pub fn parse_local(value: &str, offset_min: i32) -> Option<u64> {
    let v = value.trim();
    let num = |a: usize, b: usize| -> Option<i64> {
        let s = v.get(a..b)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let sep = |i: usize, c: &[u8]| v.as_bytes().get(i).is_some_and(|x| c.contains(x));
    if !(v.len() == 16 && sep(4, b"-") && sep(7, b"-") && sep(10, b"T ") && sep(13, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 7)? as u32, num(8, 10)? as u32);
    let (hour, minute) = (num(11, 13)?, num(14, 16)?);
    if !(1..=12).contains(&month) || day == 0 || hour > 23 || minute > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    // 31 February and its kind.
    if days >= days_from_civil(ny, nm, 1) {
        return None;
    }
    let ms = days * DAY_MS as i64 + (hour * 60 + minute - i64::from(offset_min)) * 60_000;
    u64::try_from(ms).ok()
}

/// The month `n` months after `key` ("YYYY-MM"; `n` may be negative), for a
/// calendar's pager. `None` if `key` is not a month.
pub fn shift_month(key: &str, n: i32) -> Option<String> {
    let (y, m) = key.split_once('-')?;
    let (y, m): (i64, i64) = (y.parse().ok()?, m.parse().ok()?);
    if key.len() != 7 || !(1..=12).contains(&m) {
        return None;
    }
    let i = y * 12 + (m - 1) + i64::from(n);
    Some(format!(
        "{:04}-{:02}",
        i.div_euclid(12),
        i.rem_euclid(12) + 1
    ))
}

/// The instant the local day after the one of `ms` starts.
pub fn next_midnight(ms: u64, offset_min: i32) -> u64 {
    let next = (local(ms, offset_min).days + 1) * DAY_MS as i64 - i64::from(offset_min) * 60_000;
    next.max(0) as u64
}

/// A day of the week; bit `self as u8` of `Resource::weekdays`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    /// Monday (bit 0).
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday (bit 6).
    Sun,
}

crate::code::coded!(Weekday {
    Mon => "mon",
    Tue => "tue",
    Wed => "wed",
    Thu => "thu",
    Fri => "fri",
    Sat => "sat",
    Sun => "sun",
});

impl Weekday {
    /// The weekday mask of `days` (0: none given, which means any day).
    pub fn mask(days: &[Weekday]) -> u8 {
        days.iter().fold(0, |m, d| m | 1 << *d as u8)
    }

    /// The days a mask names, Monday first.
    pub fn in_mask(mask: u8) -> Vec<Weekday> {
        Weekday::ALL
            .into_iter()
            .filter(|d| mask & 1 << *d as u8 != 0)
            .collect()
    }
}

/// A span of time pages filter by: all time, or one local month.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    /// Every instant.
    #[default]
    All,
    /// One month of community local time, by its key "YYYY-MM".
    Month(String),
}

impl Period {
    /// The period a picker value names: "" is all time, else a month key.
    pub fn from_key(key: &str) -> Period {
        if key.is_empty() {
            Period::All
        } else {
            Period::Month(key.to_owned())
        }
    }

    /// The picker value of the period ("" for all time).
    pub fn key(&self) -> &str {
        match self {
            Period::All => "",
            Period::Month(m) => m,
        }
    }

    /// Whether the instant `ms` falls in the period, at `offset_min` from UTC.
    pub fn contains(&self, ms: u64, offset_min: i32) -> bool {
        match self {
            Period::All => true,
            Period::Month(m) => local(ms, offset_min).month_key() == *m,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_local_inverts_local_time_in_community_time() {
        // 05:00 on 1 December 2023 in Beijing is 21:00 on 30 November UTC.
        assert_eq!(
            parse_local("2023-12-01T05:00", 480),
            Some(BEIJING_DEC_1_0500)
        );
        assert_eq!(parse_local("2023-11-30 21:00", 0), Some(BEIJING_DEC_1_0500));
        for ms in [0, BEIJING_DEC_1_0500, 1_709_251_199_000, 4_102_444_800_000] {
            let ms = ms - ms % 60_000;
            for off in [-300, 0, 480, 545] {
                let text = crate::activities::local_time(ms, off);
                assert_eq!(parse_local(&text, off), Some(ms), "{text} {off}");
            }
        }
        for bad in [
            "",
            "2023-12-01",
            "2023-13-01T05:00",
            "2023-02-30T05:00",
            "2023-12-01T24:00",
            "2023-12-01T05:60",
            "2023-12-01X05:00",
            "20a3-12-01T05:00",
            "2023-12-01T05:00:00",
            "+023-12-01T05:00",
        ] {
            assert_eq!(parse_local(bad, 480), None, "{bad}");
        }
        // Before the epoch in UTC.
        assert_eq!(parse_local("1970-01-01T05:00", 480), None);
        assert_eq!(
            parse_local("2024-02-29T00:00", 0).map(|x| x % DAY_MS),
            Some(0)
        );
    }

    #[test]
    fn shift_month_crosses_years() {
        assert_eq!(shift_month("2026-12", 1).as_deref(), Some("2027-01"));
        assert_eq!(shift_month("2026-01", -1).as_deref(), Some("2025-12"));
        assert_eq!(shift_month("2026-05", 0).as_deref(), Some("2026-05"));
        assert_eq!(shift_month("2026-05", -17).as_deref(), Some("2024-12"));
        for bad in ["", "2026", "2026-13", "2026-00", "2026-5", "x-01"] {
            assert_eq!(shift_month(bad, 1), None, "{bad}");
        }
    }

    /// 2023-11-30T21:00:00Z, which is 05:00 on 1 December in Beijing.
    const BEIJING_DEC_1_0500: u64 = 1_701_378_000_000;

    #[test]
    fn months_and_days_follow_the_offset_across_midnight_of_the_1st() {
        let utc = local(BEIJING_DEC_1_0500, 0);
        assert_eq!((utc.year, utc.month, utc.day), (2023, 11, 30));
        assert_eq!(utc.month_key(), "2023-11");
        let beijing = local(BEIJING_DEC_1_0500, 480);
        assert_eq!((beijing.year, beijing.month, beijing.day), (2023, 12, 1));
        assert_eq!(beijing.month_key(), "2023-12");
        // Thursday in UTC, Friday in Beijing.
        assert_eq!((utc.weekday, beijing.weekday), (3, 4));
        // One minute before local midnight is still November in Beijing.
        let before = BEIJING_DEC_1_0500 - 5 * 3_600_000 - 60_000;
        assert_eq!(local(before, 480).month_key(), "2023-11");
        assert_eq!(local(before + 60_000, 480).month_key(), "2023-12");
        // West of UTC the month turns later.
        assert_eq!(
            local(BEIJING_DEC_1_0500 + 3 * 3_600_000, -300).month_key(),
            "2023-11"
        );
        let p = Period::from_key("2023-12");
        assert!(p.contains(BEIJING_DEC_1_0500, 480));
        assert!(!p.contains(BEIJING_DEC_1_0500, 0));
        assert!(Period::All.contains(0, 480));
        assert_eq!(Period::from_key("").key(), "");
        assert_eq!(p.key(), "2023-12");
    }

    #[test]
    fn civil_dates_and_midnights() {
        let d = local(0, 0);
        assert_eq!((d.year, d.month, d.day, d.weekday), (1970, 1, 1, 3));
        assert_eq!(local(951_782_400_000, 0).month_key(), "2000-02"); // 2000-02-29
        assert_eq!(local(951_782_400_000, 0).day, 29);
        assert_eq!(local(951_868_800_000, 0).month_key(), "2000-03");
        // 2023-11-14 22:13 UTC is a Tuesday; in China (+8) Wednesday 06:13.
        assert_eq!(local(1_700_000_000_000, 0).weekday, 1);
        assert_eq!(local(1_700_000_000_000, 480).weekday, 2);
        // The next local midnight in Beijing is 16:00 UTC.
        let next = next_midnight(BEIJING_DEC_1_0500, 480);
        assert_eq!(next, BEIJING_DEC_1_0500 + 19 * 3_600_000);
        assert_eq!(local(next, 480).day, 2);
        assert_eq!(local(next - 1, 480).day, 1);
        assert_eq!(next_midnight(0, 0), DAY_MS);
    }

    #[test]
    fn weekday_masks() {
        assert_eq!(Weekday::mask(&[]), 0);
        assert_eq!(Weekday::mask(&[Weekday::Mon, Weekday::Sun]), 0b100_0001);
        assert_eq!(Weekday::in_mask(0b0010_0000), vec![Weekday::Sat]);
        assert_eq!(
            Weekday::in_mask(Weekday::mask(&Weekday::ALL)),
            Weekday::ALL.to_vec()
        );
        // `local` numbers the days as the mask does.
        assert_eq!(local(0, 0).weekday, Weekday::Thu as u32);
    }
}
