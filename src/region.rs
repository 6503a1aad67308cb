//! Command Platform regions: the canonical codes, their aliases, and the
//! base-URL template that turns a region into an endpoint.
//!
//! Shared by the client and the simulator so both agree on what a region is.

use std::fmt;
use std::str::FromStr;

/// A Command Platform data region.
///
/// The code is the first label of the regional host name
/// (`us.api.insight.rapid7.com`), which is how users find it (seed 002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    Us,
    Us2,
    Us3,
    Eu,
    Ca,
    Au,
    Ap,
    Aps2,
    Me1,
}

impl Region {
    /// Every region, in the order Rapid7 lists them.
    pub const ALL: [Region; 9] = [
        Region::Us,
        Region::Us2,
        Region::Us3,
        Region::Eu,
        Region::Ca,
        Region::Au,
        Region::Ap,
        Region::Aps2,
        Region::Me1,
    ];

    /// The canonical code, as it appears in host names.
    pub fn code(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Us2 => "us2",
            Region::Us3 => "us3",
            Region::Eu => "eu",
            Region::Ca => "ca",
            Region::Au => "au",
            Region::Ap => "ap",
            Region::Aps2 => "aps2",
            Region::Me1 => "me1",
        }
    }

    /// A human name for the region, for help texts and pickers.
    pub fn describe(self) -> &'static str {
        match self {
            Region::Us => "United States 1",
            Region::Us2 => "United States 2",
            Region::Us3 => "United States 3",
            Region::Eu => "Europe",
            Region::Ca => "Canada",
            Region::Au => "Australia",
            Region::Ap => "Japan",
            Region::Aps2 => "India",
            Region::Me1 => "Middle East",
        }
    }

    /// Fills `{region}` in a base-URL template, for example
    /// `https://{region}.api.insight.rapid7.com` or `http://127.0.0.1:8080/{region}`.
    pub fn base_url(self, template: &str) -> String {
        template.replace("{region}", self.code())
    }
}

impl serde::Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text was not a known region code or alias.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown region {0:?}; expected one of us, us2, us3, eu, ca, au, ap, aps2, me1")]
pub struct UnknownRegion(pub String);

impl FromStr for Region {
    type Err = UnknownRegion;

    /// Accepts the canonical codes and the aliases seen in the wild:
    /// `us1` (= us), `ap-south-2` (= aps2), `me-central-1` (= me1); case-insensitive.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lower = text.trim().to_ascii_lowercase();
        let region = match lower.as_str() {
            "us" | "us1" => Region::Us,
            "us2" => Region::Us2,
            "us3" => Region::Us3,
            "eu" => Region::Eu,
            "ca" => Region::Ca,
            "au" => Region::Au,
            "ap" => Region::Ap,
            "aps2" | "ap-south-2" => Region::Aps2,
            "me1" | "me-central-1" => Region::Me1,
            _ => return Err(UnknownRegion(text.to_string())),
        };
        Ok(region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_map_to_canonical_codes() {
        assert_eq!("US1".parse(), Ok(Region::Us));
        assert_eq!("ap-south-2".parse(), Ok(Region::Aps2));
        assert_eq!("me-central-1".parse(), Ok(Region::Me1));
        assert!("mars".parse::<Region>().is_err());
    }

    #[test]
    fn every_code_round_trips() {
        for region in Region::ALL {
            assert_eq!(region.code().parse(), Ok(region));
        }
    }

    #[test]
    fn template_is_filled() {
        assert_eq!(
            Region::Eu.base_url("https://{region}.api.insight.rapid7.com"),
            "https://eu.api.insight.rapid7.com"
        );
    }
}
