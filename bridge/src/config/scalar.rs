//! Scalar values of the configuration: ports, counts, durations, sizes, booleans and the
//! closed word lists (enums), parsed the same way from a YAML scalar and from an environment
//! variable.
//!
//! Owns: one parser per kind of value, each returning a one-line reason on failure
//! (`invalid value: -1, expected a port 1-65535`), and the serde glue that feeds YAML scalars
//! to those parsers. Does not own: key paths and file locations (added by the loader in
//! [`super`]), cross-field rules (in [`super::validate`]).
//!
//! A YAML value may arrive typed (`port: 3270`) or as text (`port: "3270"`, or a `${VAR}`
//! expansion); every parser accepts both so that `port: ${PORT}` works.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::Serializer;

/// Longest duration accepted anywhere (366 days): keeps deadline arithmetic far from overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 60 * 60);

/// Largest byte size accepted anywhere (1 TiB): sizes are limits, not allocations, but a typo
/// such as `100T` should still be refused.
pub const MAX_BYTES: u64 = 1 << 40;

/// One YAML scalar (or environment value) before it is given its meaning.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    /// An integer, as the YAML resolver typed it.
    Int(i128),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// Text: quoted, untyped, or from the environment.
    Str(Cow<'a, str>),
    /// YAML null (`~`, `null`, or an empty value).
    Null,
}

impl fmt::Display for Scalar<'_> {
    /// How a refused value is shown in an error: numbers bare, text quoted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{x}"),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Str(s) => write!(f, "{s:?}"),
            Scalar::Null => f.write_str("null"),
        }
    }
}

/// The reason for refusing `value`: `invalid value: VALUE, expected EXPECTED`.
pub(crate) fn invalid(value: &Scalar<'_>, expected: &str) -> String {
    format!("invalid value: {value}, expected {expected}")
}

/// A whole number from an integer or from decimal text (underscores between digits allowed,
/// as YAML 1.1 and the guide's `10_000_000` write them).
fn integer(value: &Scalar<'_>) -> Option<i128> {
    match value {
        Scalar::Int(i) => Some(*i),
        Scalar::Str(s) => {
            let s = s.trim();
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty()
                || digits.starts_with('_')
                || digits.ends_with('_')
                || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
            {
                return None;
            }
            s.replace('_', "").parse().ok()
        }
        _ => None,
    }
}

/// A TCP port, 1-65535.
pub(crate) fn port(value: &Scalar<'_>) -> Result<u16, String> {
    integer(value)
        .and_then(|i| u16::try_from(i).ok())
        .filter(|p| *p != 0)
        .ok_or_else(|| invalid(value, "a port 1-65535"))
}

/// A count that must be at least 1 (sessions, requests per second, pool sizes, days, weights).
pub(crate) fn positive(value: &Scalar<'_>) -> Result<u32, String> {
    integer(value)
        .and_then(|i| u32::try_from(i).ok())
        .filter(|n| *n != 0)
        .ok_or_else(|| invalid(value, "a whole number 1-4294967295"))
}

/// A count that may be 0 (priorities).
pub(crate) fn count(value: &Scalar<'_>) -> Result<u32, String> {
    integer(value)
        .and_then(|i| u32::try_from(i).ok())
        .ok_or_else(|| invalid(value, "a whole number 0-4294967295"))
}

/// A duration: a bare number is seconds; text may carry a unit `ms`, `s`, `m`, `h` or `d`
/// (`500ms`, `30s`, `5m`, `1h`, `7d`). Must be more than zero and at most [`MAX_DURATION`].
pub(crate) fn duration(value: &Scalar<'_>) -> Result<Duration, String> {
    const EXPECTED: &str =
        "a duration such as 30 (seconds), 500ms, 30s, 5m, 1h or 1d, above 0 and at most 366d";
    let parsed = match value {
        Scalar::Int(_) => integer(value)
            .and_then(|i| u64::try_from(i).ok())
            .map(Duration::from_secs),
        Scalar::Str(s) => {
            let s = s.trim();
            let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            let (number, unit) = s.split_at(split);
            let number: Option<u64> = number.parse().ok();
            let unit_ms: Option<u64> = match unit.trim() {
                "" | "s" => Some(1_000),
                "ms" => Some(1),
                "m" => Some(60_000),
                "h" => Some(3_600_000),
                "d" => Some(86_400_000),
                _ => None,
            };
            number
                .zip(unit_ms)
                .and_then(|(n, u)| n.checked_mul(u))
                .map(Duration::from_millis)
        }
        _ => None,
    };
    parsed
        .filter(|d| !d.is_zero() && *d <= MAX_DURATION)
        .ok_or_else(|| invalid(value, EXPECTED))
}

/// A size in bytes. A bare number counts `default_unit` bytes; text may carry a unit `K`, `M`,
/// `G` (powers of 1024; `KB`/`KiB`, `MB`/`MiB`, `GB`/`GiB` and lower case are the same) or
/// `B`. Must be more than zero and at most [`MAX_BYTES`].
pub(crate) fn bytes(value: &Scalar<'_>, default_unit: u64) -> Result<u64, String> {
    const EXPECTED: &str = "a size such as 100000, 512K, 100M or 1G, above 0 and at most 1T";
    let parsed = match value {
        Scalar::Int(_) => integer(value)
            .and_then(|i| u64::try_from(i).ok())
            .and_then(|n| n.checked_mul(default_unit)),
        Scalar::Str(s) => {
            let s = s.trim();
            let split = s
                .find(|c: char| !c.is_ascii_digit() && c != '_')
                .unwrap_or(s.len());
            let (number, unit) = s.split_at(split);
            let unit_bytes: Option<u64> = match unit.trim().to_ascii_lowercase().as_str() {
                "" => Some(default_unit),
                "b" => Some(1),
                "k" | "kb" | "kib" => Some(1 << 10),
                "m" | "mb" | "mib" => Some(1 << 20),
                "g" | "gb" | "gib" => Some(1 << 30),
                "t" | "tb" | "tib" => Some(1 << 40),
                _ => None,
            };
            integer(&Scalar::Str(Cow::Borrowed(number)))
                .and_then(|i| u64::try_from(i).ok())
                .zip(unit_bytes)
                .and_then(|(n, u)| n.checked_mul(u))
        }
        _ => None,
    };
    parsed
        .filter(|n| *n != 0 && *n <= MAX_BYTES)
        .ok_or_else(|| invalid(value, EXPECTED))
}

/// A size whose bare number is bytes (`buffers.*`).
pub(crate) fn size_bytes(value: &Scalar<'_>) -> Result<u64, String> {
    bytes(value, 1)
}

/// A size whose bare number is megabytes (`logging.max_size_mb`, `ZIG3270_LOG_MAX_SIZE`).
pub(crate) fn size_megabytes(value: &Scalar<'_>) -> Result<u64, String> {
    bytes(value, 1 << 20)
}

/// A boolean: YAML `true`/`false`, or the text `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`
/// in any case (environment variables).
pub(crate) fn boolean(value: &Scalar<'_>) -> Result<bool, String> {
    match value {
        Scalar::Bool(b) => Ok(*b),
        Scalar::Int(1) => Ok(true),
        Scalar::Int(0) => Ok(false),
        Scalar::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => Err(invalid(value, "true or false")),
        },
        _ => Err(invalid(value, "true or false")),
    }
}

/// An IP address to listen on; `localhost` means 127.0.0.1.
pub(crate) fn ip_address(value: &Scalar<'_>) -> Result<IpAddr, String> {
    const EXPECTED: &str = "an IP address such as 0.0.0.0, 127.0.0.1 or ::";
    match value {
        Scalar::Str(s) if s.trim().eq_ignore_ascii_case("localhost") => {
            Ok(IpAddr::from([127, 0, 0, 1]))
        }
        Scalar::Str(s) => s.trim().parse().map_err(|_| invalid(value, EXPECTED)),
        _ => Err(invalid(value, EXPECTED)),
    }
}

/// A non-empty text (paths, names, tokens).
pub(crate) fn text(value: &Scalar<'_>) -> Result<String, String> {
    match value {
        Scalar::Str(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        Scalar::Int(_) | Scalar::Float(_) | Scalar::Bool(_) => Ok(value.to_string()),
        _ => Err(invalid(value, "a non-empty text")),
    }
}

/// A file path (non-empty).
pub(crate) fn path(value: &Scalar<'_>) -> Result<PathBuf, String> {
    text(value).map(PathBuf::from)
}

/// A closed list of words, spelled as the guide spells them. Parsing is ASCII
/// case-insensitive; rendering uses the canonical spelling.
pub trait Choice: Sized + Copy + 'static {
    /// Every value with its canonical spelling, in documentation order.
    const ALL: &'static [(Self, &'static str)];
    /// The canonical spelling.
    fn as_str(self) -> &'static str;
}

/// Parses one of a [`Choice`]'s words.
pub(crate) fn choice<T: Choice>(value: &Scalar<'_>) -> Result<T, String> {
    let word = match value {
        Scalar::Str(s) => Some(s.trim().to_owned()),
        Scalar::Int(i) => Some(i.to_string()),
        Scalar::Float(x) => Some(x.to_string()),
        _ => None,
    };
    word.and_then(|w| {
        T::ALL
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(&w))
            .map(|(v, _)| *v)
    })
    .ok_or_else(|| {
        let names: Vec<&str> = T::ALL.iter().map(|(_, n)| *n).collect();
        invalid(value, &format!("one of {}", names.join(", ")))
    })
}

/// Declares a [`Choice`] enum with serde support.
macro_rules! choice_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $crate::config::scalar::Choice for $name {
            const ALL: &'static [(Self, &'static str)] = &[$(($name::$variant, $text)),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::config::scalar::Choice::as_str(*self))
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            /// Parses the canonical spelling, ASCII case-insensitively.
            fn from_str(s: &str) -> Result<Self, String> {
                $crate::config::scalar::choice(&$crate::config::scalar::Scalar::Str(s.into()))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::config::scalar::Choice::as_str(*self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::config::scalar::with(d, $crate::config::scalar::choice::<$name>)
            }
        }
    };
}
pub(crate) use choice_enum;

/// Reads one scalar from `d` and gives it to `parse`; a mapping or sequence is refused.
pub(crate) fn with<'de, D, T>(
    d: D,
    parse: fn(&Scalar<'_>) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let value = d.deserialize_any(ScalarVisitor)?;
    parse(&value).map_err(de::Error::custom)
}

/// Like [`with`], but null gives `None`.
pub(crate) fn with_opt<'de, D, T>(
    d: D,
    parse: fn(&Scalar<'_>) -> Result<T, String>,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
{
    match d.deserialize_any(ScalarVisitor)? {
        Scalar::Null => Ok(None),
        value => parse(&value).map(Some).map_err(de::Error::custom),
    }
}

/// Collects one scalar of any YAML type.
struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'static>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a single value (not a mapping or a list)")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        Ok(i128::try_from(v).map_or_else(|_| Scalar::Str(v.to_string().into()), Scalar::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// Field-level `deserialize_with` functions, one per kind of value (and `opt_*` for optional
/// keys).
pub(crate) mod de_with {
    use super::*;

    macro_rules! fields {
        ($($name:ident, $opt:ident => $parse:path : $ty:ty;)+) => {$(
            #[allow(dead_code)]
            pub(crate) fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                with(d, $parse)
            }
            #[allow(dead_code)]
            pub(crate) fn $opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$ty>, D::Error> {
                with_opt(d, $parse)
            }
        )+};
    }

    fields! {
        port, opt_port => super::port: u16;
        positive, opt_positive => super::positive: u32;
        count, opt_count => super::count: u32;
        duration, opt_duration => super::duration: Duration;
        size_bytes, opt_size_bytes => super::size_bytes: u64;
        size_megabytes, opt_size_megabytes => super::size_megabytes: u64;
        boolean, opt_boolean => super::boolean: bool;
        ip_address, opt_ip_address => super::ip_address: IpAddr;
        text, opt_text => super::text: String;
        path, opt_path => super::path: PathBuf;
    }
}

/// Field-level `serialize_with` functions for the effective-config rendering.
pub(crate) mod ser_with {
    use super::*;

    /// Text, single-quoted when it contains `${` so that loading it back does not expand it.
    pub(crate) fn text<S: Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
        if v.contains("${") {
            serde::Serialize::serialize(&serde_saphyr::SingleQuoted(v), s)
        } else {
            s.serialize_str(v)
        }
    }

    /// Optional text, as [`text`].
    pub(crate) fn opt_text<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(t) => text(t, s),
            None => s.serialize_none(),
        }
    }

    /// Optional path, as [`text`].
    pub(crate) fn opt_path<S: Serializer>(v: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(p) => text(&p.to_string_lossy(), s),
            None => s.serialize_none(),
        }
    }

    /// Whole seconds as a number, otherwise milliseconds as `NNNms`.
    pub(crate) fn duration<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        if d.subsec_millis() == 0 {
            s.serialize_u64(d.as_secs())
        } else {
            s.serialize_str(&format!("{}ms", d.as_millis()))
        }
    }

    /// Whole megabytes as a number, otherwise `NNNK` or bytes as `NNNB`.
    pub(crate) fn megabytes<S: Serializer>(n: &u64, s: S) -> Result<S::Ok, S::Error> {
        if n.is_multiple_of(1 << 20) {
            s.serialize_u64(n >> 20)
        } else if n.is_multiple_of(1 << 10) {
            s.serialize_str(&format!("{}K", n >> 10))
        } else {
            s.serialize_str(&format!("{n}B"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Scalar<'_> {
        Scalar::Str(Cow::Borrowed(text))
    }

    #[test]
    fn ports_refuse_zero_negative_and_too_large() {
        assert_eq!(port(&Scalar::Int(3270)), Ok(3270));
        assert_eq!(port(&s("992")), Ok(992));
        assert_eq!(
            port(&Scalar::Int(-1)),
            Err("invalid value: -1, expected a port 1-65535".to_owned())
        );
        assert!(port(&Scalar::Int(0)).is_err());
        assert!(port(&Scalar::Int(65536)).is_err());
        assert!(port(&s("http")).is_err());
    }

    #[test]
    fn durations_take_seconds_or_a_unit() {
        assert_eq!(duration(&Scalar::Int(30)), Ok(Duration::from_secs(30)));
        assert_eq!(duration(&s("500ms")), Ok(Duration::from_millis(500)));
        assert_eq!(duration(&s("5m")), Ok(Duration::from_secs(300)));
        assert_eq!(duration(&s("1h")), Ok(Duration::from_secs(3600)));
        assert_eq!(duration(&s("2d")), Ok(Duration::from_secs(172_800)));
        assert!(duration(&Scalar::Int(0)).is_err());
        assert!(duration(&s("5 weeks")).is_err());
        assert!(duration(&s("400d")).is_err());
        assert!(duration(&s("99999999999999999999d")).is_err());
        assert!(duration(&Scalar::Float(1.5)).is_err());
    }

    #[test]
    fn sizes_take_binary_units_and_underscores() {
        assert_eq!(size_megabytes(&s("100M")), Ok(100 << 20));
        assert_eq!(size_megabytes(&Scalar::Int(100)), Ok(100 << 20));
        assert_eq!(size_megabytes(&s("1G")), Ok(1 << 30));
        assert_eq!(size_bytes(&s("10_000_000")), Ok(10_000_000));
        assert_eq!(size_bytes(&s("512KiB")), Ok(512 << 10));
        assert_eq!(size_bytes(&s("64kb")), Ok(64 << 10));
        assert!(size_bytes(&s("100X")).is_err());
        assert!(size_bytes(&s("2T")).is_err());
        assert!(size_bytes(&Scalar::Int(0)).is_err());
        assert!(size_bytes(&s("_1")).is_err());
    }

    #[test]
    fn booleans_take_the_usual_words() {
        for yes in ["true", "TRUE", "yes", "on", "1"] {
            assert_eq!(boolean(&s(yes)), Ok(true), "{yes}");
        }
        for no in ["false", "No", "off", "0"] {
            assert_eq!(boolean(&s(no)), Ok(false), "{no}");
        }
        assert_eq!(
            boolean(&s("enabled")),
            Err("invalid value: \"enabled\", expected true or false".to_owned())
        );
    }

    #[test]
    fn bind_addresses_are_ip_addresses() {
        assert_eq!(ip_address(&s("0.0.0.0")), Ok(IpAddr::from([0, 0, 0, 0])));
        assert_eq!(
            ip_address(&s("localhost")),
            Ok(IpAddr::from([127, 0, 0, 1]))
        );
        assert!(ip_address(&s("::")).is_ok());
        assert!(ip_address(&s("example.com")).is_err());
    }
}
