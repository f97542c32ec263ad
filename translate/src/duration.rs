//! Kubernetes (Go) duration strings such as `1m30s` or `100ms`, as accepted by the CRD's
//! CEL `duration()` rule, converted to `google.protobuf.Duration`.

use crate::model::Duration;

/// Parses a duration: one or more decimal numbers (with an optional fraction), each
/// followed by a unit `h`, `m`, `s`, `ms`, `us` (or `µs`) or `ns`. Negative durations are
/// rejected: no field of the API takes one.
pub fn parse(text: &str) -> Result<Duration, String> {
    let invalid = || format!("invalid duration {text:?}");
    if text.is_empty() {
        return Err(invalid());
    }
    if text == "0" {
        return Ok(Duration::default());
    }
    let mut total: u128 = 0; // nanoseconds
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(invalid)?;
        if digits == 0 {
            return Err(invalid());
        }
        let (number, tail) = rest.split_at(digits);
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let unit_nanos: u128 = match unit {
            "h" => 3_600_000_000_000,
            "m" => 60_000_000_000,
            "s" => 1_000_000_000,
            "ms" => 1_000_000,
            "us" | "µs" | "μs" => 1_000,
            "ns" => 1,
            _ => return Err(invalid()),
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
            return Err(invalid());
        }
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| invalid())?
        };
        let mut nanos = whole.checked_mul(unit_nanos).ok_or_else(invalid)?;
        let mut scale = unit_nanos;
        for digit in fraction.chars() {
            scale /= 10;
            nanos += u128::from(digit.to_digit(10).ok_or_else(invalid)?) * scale;
        }
        total = total.checked_add(nanos).ok_or_else(invalid)?;
        rest = tail;
    }
    let seconds = i64::try_from(total / 1_000_000_000).map_err(|_| invalid())?;
    let nanos = i32::try_from(total % 1_000_000_000).map_err(|_| invalid())?;
    Ok(Duration { seconds, nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        parse(s).map(|d| d.to_string()).unwrap_or_else(|e| e)
    }

    #[test]
    fn parses_go_durations() {
        assert_eq!(p("30s"), "30s");
        assert_eq!(p("100ms"), "0.100s");
        assert_eq!(p("1m30s"), "90s");
        assert_eq!(p("1h"), "3600s");
        assert_eq!(p("1.5s"), "1.500s");
        assert_eq!(p("2us"), "0.000002s");
        assert_eq!(p("2µs"), "0.000002s");
        assert_eq!(p("1500ns"), "0.000001500s");
        assert_eq!(p("0"), "0s");
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in ["", "5", "s", ".s", "5x", "-1s", "1..5s", "1.2.3s"] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
