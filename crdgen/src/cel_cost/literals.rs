//! The literal checks the apiserver's CEL environment adds after type-checking (since
//! Kubernetes 1.29, cel-go's `ValidateDurationLiterals` and `ValidateTimestampLiterals`):
//! a `duration(..)` or `timestamp(..)` call whose argument is a literal is evaluated
//! when the CRD is created, and a CRD whose rule holds one that fails is refused
//! ("invalid duration argument"). Here the literal is parsed as Go parses it
//! (`time.ParseDuration`; `time.Parse` with `time.RFC3339`, then cel-go's range of
//! years 1 to 9999), so `gen-crds` refuses the rule first, with the reason.
//!
//! `matches(..)`'s literal patterns, which the apiserver compiles with Go's `regexp`
//! (`ValidateRegexLiterals`), are not checked here: Go's RE2 syntax differs from the
//! Rust `regex` crate's in both directions (`\Q..\E`, octal escapes and `a{` are
//! Go's; `(?x)`, `\<` and nested classes are Rust's), so only a port of Go's parser
//! would refuse what the apiserver refuses and nothing else.

use cel::common::ast::{Expr, IdedExpr, LiteralValue};

/// The failed literals of `e`, the durations before the timestamps (cel-go's
/// validators run in that order), each as the apiserver names it, with the reason.
pub fn literal_errors<'e>(calls: impl Iterator<Item = &'e IdedExpr> + Clone) -> Vec<String> {
    let mut errors = Vec::new();
    for (function, check) in [
        (
            "duration",
            duration_literal as fn(&LiteralValue) -> Result<(), String>,
        ),
        ("timestamp", timestamp_literal),
    ] {
        for e in calls.clone() {
            let Expr::Call(c) = &e.expr else { continue };
            if c.func_name != function {
                continue;
            }
            // cel-go's validator reads the first argument after any receiver.
            let Some(Expr::Literal(lit)) = c.args.first().map(|a| &a.expr) else {
                continue;
            };
            if let Err(why) = check(lit) {
                errors.push(format!("invalid {function} argument {}: {why}", show(lit)));
            }
        }
    }
    errors
}

/// A literal as a rule writes it (strings quoted).
fn show(lit: &LiteralValue) -> String {
    match lit {
        LiteralValue::String(s) => format!("'{}'", s.inner()),
        LiteralValue::Int(i) => i.inner().to_string(),
        _ => "of this type".to_owned(),
    }
}

/// What a duration looks like (no `; `: errors are joined with it).
const DURATION_HELP: &str = "numbers with units, as in 300ms, 1.5h or 2h45m: ns, us, ms, s, m, h";

fn duration_literal(lit: &LiteralValue) -> Result<(), String> {
    match lit {
        LiteralValue::String(s) => parse_duration(s.inner()).map(|_| ()),
        // cel-go declares `duration(int)` but cannot convert an int to a duration.
        _ => Err(format!(
            "only a string converts to a duration ({DURATION_HELP})"
        )),
    }
}

/// 2^63: what Go keeps both parts of a duration's numbers under (`leadingInt`,
/// `leadingFraction`), and the longest duration, negative.
const LIMIT: u64 = 1 << 63;

/// `n * 10 + digit`, or `None` past [`LIMIT`]. (Go first tests `n > LIMIT / 10`;
/// every such `n` goes past it here.)
fn push_digit(n: u64, digit: u8) -> Option<u64> {
    n.checked_mul(10)?
        .checked_add(u64::from(digit - b'0'))
        .filter(|&n| n <= LIMIT)
}

/// Go's `time.ParseDuration`: the duration in nanoseconds, or why it is not one.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    const UNITS: [(&[u8], u64); 8] = [
        (b"ns", 1),
        (b"us", 1_000),
        ("\u{b5}s".as_bytes(), 1_000),
        ("\u{3bc}s".as_bytes(), 1_000),
        (b"ms", 1_000_000),
        (b"s", 1_000_000_000),
        (b"m", 60_000_000_000),
        (b"h", 3_600_000_000_000),
    ];
    let invalid = || format!("not a duration ({DURATION_HELP})");
    let too_long = || "longer than Go's durations (about 292 years)".to_owned();
    let mut s = text.as_bytes();
    let mut neg = false;
    if let [c @ (b'-' | b'+'), rest @ ..] = s {
        neg = *c == b'-';
        s = rest;
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // The whole part: past 2^63 is an error.
        let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut v: u64 = 0;
        for &c in &s[..digits] {
            v = push_digit(v, c).ok_or_else(too_long)?;
        }
        let pre = digits > 0;
        s = &s[digits..];
        // The fraction: the digits that would take it past 2^63 are dropped.
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if let [b'.', rest @ ..] = s {
            let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            for &c in &rest[..digits] {
                let Some(y) = push_digit(f, c) else { break };
                f = y;
                scale *= 10.0;
            }
            post = digits > 0;
            s = &rest[digits..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        let unit_len = s
            .iter()
            .take_while(|c| !(**c == b'.' || c.is_ascii_digit()))
            .count();
        if unit_len == 0 {
            return Err(format!("a number without a unit ({DURATION_HELP})"));
        }
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        let Some(&(_, unit)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            return Err(format!(
                "unknown unit '{}' ({DURATION_HELP})",
                String::from_utf8_lossy(unit)
            ));
        };
        if v > LIMIT / unit {
            return Err(too_long());
        }
        v *= unit;
        // The fraction's nanoseconds, as Go computes them, in floating point (Go
        // skips this for a fraction of 0, which adds nothing).
        v += (f as f64 * (unit as f64 / scale)) as u64;
        if v > LIMIT {
            return Err(too_long());
        }
        total += v;
        if total > LIMIT {
            return Err(too_long());
        }
    }
    if neg {
        return Ok((total as i64).wrapping_neg());
    }
    i64::try_from(total).map_err(|_| too_long())
}

/// cel-go's range of timestamps: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, in
/// seconds from the Unix epoch.
const MIN_UNIX: i64 = -62_135_596_800;
const MAX_UNIX: i64 = 253_402_300_799;

fn timestamp_literal(lit: &LiteralValue) -> Result<(), String> {
    let seconds = match lit {
        LiteralValue::String(s) => parse_rfc3339(s.inner())?,
        LiteralValue::Int(i) => *i.inner(),
        _ => return Err("only a string or an int converts to a timestamp".to_owned()),
    };
    if !(MIN_UNIX..=MAX_UNIX).contains(&seconds) {
        return Err("outside the years 0001 to 9999 (UTC) that CEL's timestamps cover".to_owned());
    }
    Ok(())
}

/// Go's `time.Parse(time.RFC3339, text)` (its general parser, which takes what the
/// strict fast path takes and more: a one-digit hour, a comma before the fraction,
/// offsets up to 24:60): the time in seconds from the Unix epoch, or why it is not one.
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    const FORM: &str = "not an RFC 3339 time such as 2006-01-02T15:04:05Z or \
        2006-01-02T15:04:05.5+07:00";
    let form = || FORM.to_owned();
    let range = |what: &str| format!("{what} out of range");
    let mut s = text.as_bytes();
    // A number of exactly two digits (Go's `getnum(s, true)`), or of one or two.
    let num = |s: &mut &[u8], fixed: bool| -> Result<i64, String> {
        match *s {
            [a, b, rest @ ..] if a.is_ascii_digit() && b.is_ascii_digit() => {
                *s = rest;
                Ok(i64::from(a - b'0') * 10 + i64::from(b - b'0'))
            }
            [a, rest @ ..] if a.is_ascii_digit() && !fixed => {
                *s = rest;
                Ok(i64::from(a - b'0'))
            }
            _ => Err(form()),
        }
    };
    let lit = |s: &mut &[u8], c: u8| -> Result<(), String> {
        match *s {
            [first, rest @ ..] if *first == c => {
                *s = rest;
                Ok(())
            }
            _ => Err(form()),
        }
    };
    let year = match s {
        [a, b, c, d, rest @ ..] if [a, b, c, d].iter().all(|x| x.is_ascii_digit()) => {
            s = rest;
            [a, b, c, d]
                .iter()
                .fold(0i64, |n, x| n * 10 + i64::from(**x - b'0'))
        }
        _ => return Err(form()),
    };
    lit(&mut s, b'-')?;
    let month = num(&mut s, true)?;
    if !(1..=12).contains(&month) {
        return Err(range("month"));
    }
    lit(&mut s, b'-')?;
    let day = num(&mut s, true)?;
    lit(&mut s, b'T')?;
    let hour = num(&mut s, false)?;
    if hour >= 24 {
        return Err(range("hour"));
    }
    lit(&mut s, b':')?;
    let minute = num(&mut s, true)?;
    if minute >= 60 {
        return Err(range("minute"));
    }
    lit(&mut s, b':')?;
    let second = num(&mut s, true)?;
    if second >= 60 {
        return Err(range("second"));
    }
    if let [b'.' | b',', d, ..] = s
        && d.is_ascii_digit()
    {
        let digits = s[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        s = &s[1 + digits..];
    }
    let offset = match s {
        [b'Z', rest @ ..] => {
            s = rest;
            0
        }
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2, rest @ ..] => {
            let hours = num(&mut &[*h1, *h2][..], true)?;
            let minutes = num(&mut &[*m1, *m2][..], true)?;
            if hours > 24 {
                return Err(range("time zone offset hour"));
            }
            if minutes > 60 {
                return Err(range("time zone offset minute"));
            }
            s = rest;
            let offset = (hours * 60 + minutes) * 60;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return Err(form()),
    };
    if !s.is_empty() {
        return Err(format!(
            "extra text after the time: '{}'",
            String::from_utf8_lossy(s)
        ));
    }
    // The calendar's days (Go's "day out of range"), by jiff's proleptic Gregorian dates.
    // (Four digits, two and two: the casts keep every value.)
    let date =
        jiff::civil::Date::new(year as i16, month as i8, day as i8).map_err(|_| range("day"))?;
    let days = jiff::civil::date(1970, 1, 1)
        .until(date)
        .map_err(|e| e.to_string())?
        .get_days();
    Ok(i64::from(days) * 86_400 + hour * 3_600 + minute * 60 + second - offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cel_cost::check_rule;
    use serde_json::json;

    const S: i64 = 1_000_000_000;

    #[test]
    fn durations_are_what_go_parses() {
        for (text, ns) in [
            ("0", 0),
            ("-0", 0),
            ("1h2m3s", 3_723 * S),
            ("1.5h", 5_400 * S),
            (".5s", S / 2),
            ("1.s", S),
            ("-1.5ms", -1_500_000),
            ("+2m", 120 * S),
            ("1\u{b5}s", 1_000),
            ("1\u{3bc}s", 1_000),
            ("7us3ns", 7_003),
            // Fractions of hours are exact to the nanosecond; digits past 19 are dropped.
            ("0.000000001h", 3_600),
            ("1.0000000000000000000000001s", S),
            // A fraction stops at the digit that would take it past 2^63.
            ("0.50000000000000000000s", S / 2),
            (".9223372036854775801h", 3_320_413_933_267),
            (".922337203685477580999h", 3_320_413_933_267),
            ("9223372036854775807ns", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            // The fraction's nanoseconds reach 2^63 exactly: the longest negative one.
            ("-9223372036854775.808us", i64::MIN),
            ("2562047.788015215h", 9_223_372_036_854_774_000),
        ] {
            assert_eq!(parse_duration(text), Ok(ns), "{text}");
        }
    }

    #[test]
    fn durations_go_refuses_are_refused_with_the_reason() {
        for (text, why) in [
            ("", "not a duration"),
            ("-", "not a duration"),
            ("s", "not a duration"),
            (".s", "not a duration"),
            ("1", "a number without a unit"),
            ("1s2", "a number without a unit"),
            ("1x", "unknown unit 'x'"),
            ("1H", "unknown unit 'H'"),
            ("1s ", "unknown unit 's '"),
            ("1.5.5s", "a number without a unit"),
            ("9223372036854775808ns", "longer than Go's durations"),
            ("-9223372036854775809ns", "longer than Go's durations"),
            ("92233720368547758080ns", "longer than Go's durations"),
            ("2562048h", "longer than Go's durations"),
            ("2562047.8h", "longer than Go's durations"),
            ("9223372036854775.808us", "longer than Go's durations"),
            ("-9223372036854775.809us", "longer than Go's durations"),
            ("2562047h2562047h", "longer than Go's durations"),
        ] {
            let got = parse_duration(text).expect_err(text);
            assert!(got.starts_with(why), "{text}: {got}");
        }
        assert_eq!(
            parse_duration("1x").expect_err("refused"),
            "unknown unit 'x' (numbers with units, as in 300ms, 1.5h or 2h45m: \
             ns, us, ms, s, m, h)"
        );
    }

    #[test]
    fn timestamps_are_what_go_parses() {
        for (text, seconds) in [
            ("1970-01-01T00:00:00Z", 0),
            ("1970-01-01T01:00:00+01:00", 0),
            ("1969-12-31T23:00:00-01:00", 0),
            ("1970-01-01T1:00:00Z", 3_600),
            ("1970-01-01T5:00:00Z", 18_000),
            ("2000-03-01T00:00:00Z", 951_868_800),
            ("2024-02-29T12:30:15.25Z", 1_709_209_815),
            ("2024-02-29T12:30:15,999Z", 1_709_209_815),
            ("2023-01-01T00:00:00+24:00", 1_672_444_800),
            ("2023-01-01T00:00:00-00:60", 1_672_534_800),
            ("0001-01-01T00:00:00Z", MIN_UNIX),
            ("9999-12-31T23:59:59Z", MAX_UNIX),
        ] {
            assert_eq!(parse_rfc3339(text), Ok(seconds), "{text}");
        }
    }

    #[test]
    fn timestamps_go_refuses_are_refused_with_the_reason() {
        for (text, why) in [
            ("2023-01-01", "not an RFC 3339 time"),
            ("2023-01-01t00:00:00Z", "not an RFC 3339 time"),
            ("2023-01-01T00:00:00z", "not an RFC 3339 time"),
            ("2023-01-01T00:00:00", "not an RFC 3339 time"),
            ("2023-01-01T00:00:00.Z", "not an RFC 3339 time"),
            ("2023-01-01T00:00:00+0100", "not an RFC 3339 time"),
            ("2023-01-01T00:00:00+1:00", "not an RFC 3339 time"),
            ("2023-01-01T00:00:00+01:0a", "not an RFC 3339 time"),
            ("2023-1-01T00:00:00Z", "not an RFC 3339 time"),
            ("+023-01-01T00:00:00Z", "not an RFC 3339 time"),
            ("2023-01-01T001:00:00Z", "not an RFC 3339 time"),
            ("2023-00-01T00:00:00Z", "month out of range"),
            ("2023-13-01T00:00:00Z", "month out of range"),
            ("2023-01-00T00:00:00Z", "day out of range"),
            ("2023-02-29T00:00:00Z", "day out of range"),
            ("1900-02-29T00:00:00Z", "day out of range"),
            ("2023-04-31T00:00:00Z", "day out of range"),
            ("2023-01-01T24:00:00Z", "hour out of range"),
            ("2023-01-01T00:60:00Z", "minute out of range"),
            ("2023-01-01T00:00:60Z", "second out of range"),
            (
                "2023-01-01T00:00:00+25:00",
                "time zone offset hour out of range",
            ),
            (
                "2023-01-01T00:00:00+01:61",
                "time zone offset minute out of range",
            ),
            ("2023-01-01T00:00:00Z ", "extra text after the time: ' '"),
        ] {
            let got = parse_rfc3339(text).expect_err(text);
            assert!(got.starts_with(why), "{text}: {got}");
        }
    }

    fn refusal(rule: &str) -> Option<String> {
        let node = json!({"type": "object", "properties": {
            "d": {"type": "string", "maxLength": 20},
        }});
        check_rule(&node, true, rule, false).err()
    }

    #[test]
    fn rules_with_failing_literals_are_refused_naming_the_literal() {
        assert_eq!(refusal("duration('1s') < duration(self.d)"), None);
        assert_eq!(
            refusal("timestamp(0) < timestamp('2000-01-01T00:00:00Z')"),
            None
        );
        assert_eq!(
            refusal("duration('1 s') > duration('0s')").as_deref(),
            Some(
                "invalid duration argument '1 s': unknown unit ' s' (numbers with units, as \
                 in 300ms, 1.5h or 2h45m: ns, us, ms, s, m, h)"
            )
        );
        assert_eq!(
            refusal("duration(5) > duration('0s')").as_deref(),
            Some(
                "invalid duration argument 5: only a string converts to a duration (numbers \
                 with units, as in 300ms, 1.5h or 2h45m: ns, us, ms, s, m, h)"
            )
        );
        assert_eq!(
            refusal("timestamp(253402300800) > timestamp(0)").as_deref(),
            Some(
                "invalid timestamp argument 253402300800: outside the years 0001 to 9999 \
                 (UTC) that CEL's timestamps cover"
            )
        );
        assert_eq!(
            refusal("timestamp(-62135596801) < timestamp(0)").as_deref(),
            Some(
                "invalid timestamp argument -62135596801: outside the years 0001 to 9999 \
                 (UTC) that CEL's timestamps cover"
            )
        );
        // Every failing literal, the durations first, then mixed literals.
        assert_eq!(
            refusal("[1, 'a'].size() == 2 && timestamp('x') < timestamp(0) && duration('y') > duration('0')")
                .as_deref(),
            Some(
                "invalid duration argument 'y': not a duration (numbers with units, as in \
                 300ms, 1.5h or 2h45m: ns, us, ms, s, m, h); invalid timestamp argument 'x': \
                 not an RFC 3339 time such as 2006-01-02T15:04:05Z or \
                 2006-01-02T15:04:05.5+07:00; expected type 'int' but found 'string'"
            )
        );
        // Literals inside a `format` call are checked too (only mixed lists are let be).
        assert!(refusal("'%s'.format([duration('1x')]) != ''").is_some());
    }
}
