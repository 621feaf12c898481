//! Caps on what one input may hold, so that `/dev/zero`, a gzip bomb or a runaway pipe ends
//! with an error naming the limit and the flag that raises it — never with the memory of the
//! machine exhausted. A cap counts the bytes read from a file or standard input and, for gzip,
//! the bytes it decompresses to.

use iamwhy_diagnostic::Diagnostic;
use std::io::{self, Read};

/// The limits of one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes one input (a file, standard input) may hold, counted after
    /// decompression.
    pub max_input_bytes: u64,
    /// The command-line flag that raises it, named in the error (`--max-input-size`).
    pub flag: &'static str,
}

impl Limits {
    /// The default cap: 256 MiB per input. A CloudTrail log file AWS delivers is a few MiB;
    /// a day of `lookup-events` output a few tens.
    pub const DEFAULT_MAX_INPUT_BYTES: u64 = 256 << 20;
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_bytes: Limits::DEFAULT_MAX_INPUT_BYTES,
            flag: "--max-input-size",
        }
    }
}

/// A size for people: `256 MiB`, `1.5 GiB`, `900 bytes`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64;
    let mut unit = "";
    for u in UNITS {
        value /= 1024.0;
        unit = u;
        if value < 1024.0 {
            break;
        }
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// Parse a size given on the command line: a number of bytes with an optional unit
/// (`K`/`KB`/`KiB`, `M`…, `G`…, `T`…, powers of 1024; case-insensitive).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("\"{text}\" is not a size (e.g. 512M, 2G, 1048576)"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" | "bytes" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => {
            return Err(format!(
                "\"{text}\": unknown unit \"{unit}\" (use K, M, G or T)"
            ));
        }
    };
    let bytes = number * (1u64 << shift) as f64;
    if !(1.0..=u64::MAX as f64).contains(&bytes) {
        return Err(format!("\"{text}\" is not a usable size"));
    }
    Ok(bytes as u64)
}

/// What a cap counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counted {
    /// The bytes of the file or stream.
    Read,
    /// The bytes gzip decompressed to.
    Decompressed,
}

/// The I/O error a [`Capped`] reader returns when its cap is passed.
#[derive(Debug)]
pub(crate) struct CapExceeded {
    pub(crate) counted: Counted,
    pub(crate) max: u64,
}

impl std::fmt::Display for CapExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "more than {} bytes", self.max)
    }
}

impl std::error::Error for CapExceeded {}

/// A reader that fails with [`CapExceeded`] once more than `max` bytes went through it.
pub(crate) struct Capped<R> {
    inner: R,
    read: u64,
    max: u64,
    counted: Counted,
}

impl<R: Read> Capped<R> {
    pub(crate) fn new(inner: R, max: u64, counted: Counted) -> Capped<R> {
        Capped {
            inner,
            read: 0,
            max,
            counted,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.max {
            return Err(io::Error::other(CapExceeded {
                counted: self.counted,
                max: self.max,
            }));
        }
        Ok(n)
    }
}

/// The cap an I/O error reports, if it is one (also through serde_json and flate2, which
/// pass the reader's error on).
pub(crate) fn cap_exceeded(e: &io::Error) -> Option<&CapExceeded> {
    e.get_ref()?.downcast_ref::<CapExceeded>()
}

/// The diagnostic of a passed cap: which input, what was counted, the limit and the flag.
pub(crate) fn cap_diagnostic(cap: &CapExceeded, limits: &Limits, what: &str) -> Diagnostic {
    let (code, message) = match cap.counted {
        Counted::Read => (
            "input-too-large",
            format!(
                "{what} holds more than {} (the {} limit); iamwhy stopped reading it",
                human_size(cap.max),
                limits.flag
            ),
        ),
        Counted::Decompressed => (
            "decompressed-too-large",
            format!(
                "{what} decompresses to more than {} (the {} limit); iamwhy stopped decompressing it",
                human_size(cap.max),
                limits.flag
            ),
        ),
    };
    Diagnostic::error(code, message).with_help(format!(
        "if the input is really that large, raise the limit, e.g. {} {}",
        limits.flag,
        human_size(cap.max.saturating_mul(4))
            .replace(' ', "")
            .replace("iB", "")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_with_binary_units() {
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("1K"), Ok(1024));
        assert_eq!(parse_size("256MiB"), Ok(256 << 20));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("0").is_err());
    }

    #[test]
    fn sizes_print_for_people() {
        assert_eq!(human_size(256 << 20), "256 MiB");
        assert_eq!(human_size(3 << 29), "1.5 GiB");
        assert_eq!(human_size(100), "100 bytes");
    }

    #[test]
    fn a_capped_reader_fails_past_its_cap_with_a_cap_error() {
        let mut r = Capped::new(std::io::repeat(0), 10_000, Counted::Read);
        let mut sink = Vec::new();
        let err = r.read_to_end(&mut sink).unwrap_err();
        let cap = cap_exceeded(&err).expect("a cap error");
        assert_eq!(cap.max, 10_000);
        assert!(sink.len() <= 10_000 + 8192, "{}", sink.len());
    }
}
