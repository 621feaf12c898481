//! Typed readings of condition values (AWS: numeric, date, IP and ARN operators): exact decimals, instants, IP
//! addresses and CIDR blocks, base64 bytes, booleans. Used both to validate policy values and to
//! compare request values; every parser returns `None` on text it cannot read, so that callers
//! can report "cannot be evaluated" instead of guessing.

use std::cmp::Ordering;
use std::net::IpAddr;

/// An exact decimal number: sign, integer digits and fraction digits, normalised so that
/// `1.0 == 1` and `-0 == 0`. Compared exactly, whatever its length (no floating point).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    negative: bool,
    int: String,
    frac: String,
}

impl Decimal {
    /// Parse `[+-]?digits[.digits]`.
    pub fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (int, frac) = match rest.split_once('.') {
            Some((i, f)) => (i, f),
            None => (rest, ""),
        };
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if rest.contains('.') && (frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        let int = int.trim_start_matches('0').to_string();
        let frac = frac.trim_end_matches('0').to_string();
        let negative = negative && !(int.is_empty() && frac.is_empty());
        Some(Decimal {
            negative,
            int,
            frac,
        })
    }

    fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| self.frac.cmp(&other.frac))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// True when `text` reads as a [`Decimal`].
pub fn is_decimal(text: &str) -> bool {
    Decimal::parse(text).is_some()
}

/// An instant: seconds since the Unix epoch and nanoseconds, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    pub seconds: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
}

impl Instant {
    /// Parse the W3C profile of ISO 8601 (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`,
    /// `YYYY-MM-DDThh:mm[:ss[.s+]]TZD` with `TZD` = `Z` or `±hh:mm`) or integer epoch seconds.
    /// A partial date means the start of that period in UTC. Exactly four digits read as a year;
    /// any other run of digits (optionally signed) as epoch seconds. A date-time without a zone
    /// designator is read as UTC (AWS's examples always carry one; inferred).
    pub fn parse(text: &str) -> Option<Instant> {
        let bytes = text.as_bytes();
        let (signed, digits) = match bytes.first() {
            Some(b'-' | b'+') => (true, &text[1..]),
            _ => (false, text),
        };
        if !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (signed || digits.len() != 4)
        {
            let seconds: i64 = text.trim_start_matches('+').parse().ok()?;
            return Some(Instant { seconds, nanos: 0 });
        }
        let num = |s: &str| -> Option<u32> {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let (date, time) = match text.split_once(['T', 't']) {
            Some((d, t)) => (d, Some(t)),
            None => (text, None),
        };
        let mut dp = date.split('-');
        let year_text = dp.next()?;
        if year_text.len() != 4 {
            return None;
        }
        let year = num(year_text)? as i64;
        let month = match dp.next() {
            Some(m) if m.len() == 2 => num(m)?,
            Some(_) => return None,
            None => 1,
        };
        let day = match dp.next() {
            Some(d) if d.len() == 2 => num(d)?,
            Some(_) => return None,
            None => 1,
        };
        if dp.next().is_some()
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
        {
            return None;
        }
        let mut seconds = days_from_civil(year, month, day) * 86_400;
        let mut nanos = 0u32;
        if let Some(time) = time {
            if date.len() != 10 {
                return None;
            }
            // Split the zone designator off.
            let (clock, offset) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
                (c, 0i64)
            } else if let Some(at) = time.rfind(['+', '-']) {
                let zone = &time[at + 1..];
                let (zh, zm) = zone.split_once(':')?;
                if zh.len() != 2 || zm.len() != 2 {
                    return None;
                }
                let (zh, zm) = (num(zh)? as i64, num(zm)? as i64);
                if zh > 23 || zm > 59 {
                    return None;
                }
                let sign = if time.as_bytes()[at] == b'-' { -1 } else { 1 };
                (&time[..at], sign * (zh * 3600 + zm * 60))
            } else {
                (time, 0)
            };
            let mut cp = clock.split(':');
            let h = cp.next().filter(|s| s.len() == 2).and_then(num)?;
            let m = cp.next().filter(|s| s.len() == 2).and_then(num)?;
            let (s, frac) = match cp.next() {
                Some(sec) => match sec.split_once('.') {
                    Some((s, f)) => (s, Some(f)),
                    None => (sec, None),
                },
                None => ("00", None),
            };
            if cp.next().is_some() || s.len() != 2 {
                return None;
            }
            let s = num(s)?;
            if h > 23 || m > 59 || s > 60 {
                return None;
            }
            if let Some(f) = frac {
                if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let mut digits: String = f.chars().take(9).collect();
                while digits.len() < 9 {
                    digits.push('0');
                }
                nanos = digits.parse().ok()?;
            }
            seconds += (h * 3600 + m * 60 + s) as i64 - offset;
        }
        Some(Instant { seconds, nanos })
    }

    /// The current time, from the system clock (the epoch if the clock is before it).
    pub fn now() -> Instant {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Instant {
            seconds: d.as_secs() as i64,
            nanos: 0,
        }
    }

    /// The instant as AWS writes `aws:CurrentTime`: `YYYY-MM-DDThh:mm:ssZ` (UTC, whole
    /// seconds), which [`Instant::parse`] reads back.
    ///
    /// ```
    /// use iamwhy_policy::values::Instant;
    /// let t = Instant::parse("2026-12-01T22:59:24Z").unwrap();
    /// assert_eq!(t.to_iso8601(), "2026-12-01T22:59:24Z");
    /// assert_eq!(Instant { seconds: 0, nanos: 0 }.to_iso8601(), "1970-01-01T00:00:00Z");
    /// ```
    pub fn to_iso8601(&self) -> String {
        let (y, m, d) = civil_from_days(self.seconds.div_euclid(86_400));
        let rem = self.seconds.rem_euclid(86_400);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60
        )
    }
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm; the
/// inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// True when `text` reads as an [`Instant`].
pub fn is_date(text: &str) -> bool {
    Instant::parse(text).is_some()
}

/// An IPv4 or IPv6 CIDR block with host bits masked off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parse `addr` or `addr/len`. A bare address is a /32 (IPv4) or /128 (IPv6) block.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|p| *p <= max)?
            }
            Some(_) => return None,
            None => max,
        };
        Some(Cidr {
            network: mask(addr, prefix),
            prefix,
        })
    }

    /// Whether the block contains `addr`. IPv4 never matches IPv6 blocks and vice versa.
    pub fn contains(&self, addr: IpAddr) -> bool {
        addr.is_ipv4() == self.network.is_ipv4() && mask(addr, self.prefix) == self.network
    }
}

fn mask(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let bits = u32::from(a);
            let m = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - prefix)
            };
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(a) => {
            let bits = u128::from(a);
            let m = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - prefix)
            };
            IpAddr::V6((bits & m).into())
        }
    }
}

/// Parse a request's IP value: an address, or an address written as a full-length block
/// (`192.0.2.1/32`, as some AWS tools print it).
pub fn parse_request_ip(text: &str) -> Option<IpAddr> {
    if let Ok(a) = text.parse() {
        return Some(a);
    }
    let (a, p) = text.split_once('/')?;
    let a: IpAddr = a.parse().ok()?;
    let full = if a.is_ipv4() { "32" } else { "128" };
    (p == full).then_some(a)
}

/// True when `text` reads as a [`Cidr`].
pub fn is_cidr(text: &str) -> bool {
    Cidr::parse(text).is_some()
}

/// Decode base64 (standard alphabet, padding optional).
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine.decode(text).ok()
}

/// True when `text` is base64.
pub fn is_base64(text: &str) -> bool {
    decode_base64(text).is_some()
}

/// Read a boolean: `true`/`false` in any letter case.
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn iso8601_formatting_round_trips_through_the_policy_date_parser() {
        for secs in [0i64, 951_782_400, 1_700_000_000, 4_102_444_800, -86_401] {
            let i = Instant {
                seconds: secs,
                nanos: 0,
            };
            assert_eq!(Instant::parse(&i.to_iso8601()), Some(i), "{secs}");
        }
    }

    use super::*;

    #[test]
    fn decimals_compare_exactly() {
        let d = |s| Decimal::parse(s).unwrap();
        assert_eq!(d("1.0"), d("1"));
        assert_eq!(d("-0"), d("0"));
        assert!(d("-2") < d("-1.5"));
        assert!(d("12345678901234567890123456789012") > d("12345678901234567890123456789011"));
        assert!(d("0.1") < d("0.10001"));
        for bad in ["", "-", "1.", ".5", "1e3", "0x10", "1,000", " 1"] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn dates_in_every_w3c_form_and_epoch_seconds() {
        let i = |s| Instant::parse(s).unwrap();
        assert_eq!(i("1970-01-01T00:00:00Z").seconds, 0);
        assert_eq!(i("2020").seconds, i("2020-01-01T00:00:00Z").seconds);
        assert_eq!(i("2020-03").seconds, i("2020-03-01T00:00Z").seconds);
        assert_eq!(i("2020-01-01T01:00:00+01:00"), i("2020-01-01T00:00:00Z"));
        assert_eq!(i("1577836800"), i("2020-01-01T00:00:00Z"));
        assert_eq!(i("2020-01-01T00:00:00.5Z").nanos, 500_000_000);
        assert!(i("2020-01-01T00:00:00.5Z") > i("2020-01-01T00:00:00Z"));
        for bad in [
            "2020-13-01",
            "2021-02-29",
            "20-01-01",
            "2020-01-01T25:00Z",
            "yesterday",
            "2020-01-01T00:00:00+0100",
        ] {
            assert!(Instant::parse(bad).is_none(), "{bad}");
        }
        assert!(Instant::parse("2020-02-29").is_some());
        // Found by fuzzing: a sign and three digits are epoch seconds, not a year.
        assert_eq!(i("-123").seconds, -123);
        assert_eq!(i("+123").seconds, 123);
        assert_eq!(i("-2020").seconds, -2020);
    }

    #[test]
    fn cidr_blocks_mask_host_bits_and_keep_families_apart() {
        let c = Cidr::parse("203.0.113.77/24").unwrap();
        assert!(c.contains("203.0.113.5".parse().unwrap()));
        assert!(!c.contains("203.0.114.5".parse().unwrap()));
        assert!(
            Cidr::parse("10.0.0.1")
                .unwrap()
                .contains("10.0.0.1".parse().unwrap())
        );
        assert!(
            !Cidr::parse("10.0.0.1")
                .unwrap()
                .contains("10.0.0.2".parse().unwrap())
        );
        let v6 = Cidr::parse("2001:DB8:1234:5678::/64").unwrap();
        assert!(v6.contains("2001:db8:1234:5678::1".parse().unwrap()));
        assert!(!v6.contains("203.0.113.5".parse().unwrap()));
        assert!(
            !Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains("::1".parse().unwrap())
        );
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert_eq!(parse_request_ip("192.0.2.1/32"), "192.0.2.1".parse().ok());
    }

    #[test]
    fn base64_and_bool() {
        assert_eq!(decode_base64("QmluYXJ5"), Some(b"Binary".to_vec()));
        assert_eq!(decode_base64("YQ"), Some(b"a".to_vec()));
        assert!(decode_base64("not base64!").is_none());
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("yes"), None);
    }
}
