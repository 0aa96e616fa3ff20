//! Strings that passed a check: the one shape that [`Email`](crate::Email)
//! and [`OrgNumber`](crate::OrgNumber) share.
//!
//! A [`Checked<K>`] holds the canonical form of a value that `K`'s check
//! accepted. It is serialised as that plain string, and deserialising checks
//! again, so a JSON body cannot smuggle in an unchecked value. Only
//! [`Checked::from_stored`] makes one without the check.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// The check behind one kind of [`Checked`] string.
pub trait Check {
    /// The name shown by `Debug`, e.g. `Email("anna@boda.se")`.
    const NAME: &'static str;

    /// The canonical form of `raw`, or why it is refused.
    fn check(raw: &str) -> Result<String, FieldError>;
}

/// A string in the canonical form that `K` checked. See the module docs.
pub struct Checked<K>(String, PhantomData<fn() -> K>);

impl<K: Check> Checked<K> {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        K::check(raw).map(Self::from_stored)
    }

    /// A value read back from the database. It does not check again: every
    /// value is written through [`Checked::parse`] (the stores only accept
    /// the checked types), so checking each row again on every read would
    /// only cost. A store may also write a placeholder of its own that the
    /// check would refuse (an erased person's `erased-…@invalid` address);
    /// refusing to read such a row would help no one.
    pub fn from_stored(s: String) -> Self {
        Self(s, PhantomData)
    }
}

impl<K> Checked<K> {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<K: Check> std::fmt::Debug for Checked<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple(K::NAME).field(&self.0).finish()
    }
}

impl<K> std::fmt::Display for Checked<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<K> Clone for Checked<K> {
    fn clone(&self) -> Self {
        Self(self.0.clone(), PhantomData)
    }
}

impl<K> PartialEq for Checked<K> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<K> Eq for Checked<K> {}

impl<K> PartialOrd for Checked<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K> Ord for Checked<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl<K> Hash for Checked<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl<K> AsRef<str> for Checked<K> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<K> PartialEq<str> for Checked<K> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl<K> PartialEq<&str> for Checked<K> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl<K> PartialEq<String> for Checked<K> {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

// The other way round too, so values kept as plain strings (a form value,
// a CSV cell, an outbox's recipients) compare with the checked ones.
impl<K> PartialEq<Checked<K>> for str {
    fn eq(&self, other: &Checked<K>) -> bool {
        self == other.0
    }
}

impl<K> PartialEq<Checked<K>> for &str {
    fn eq(&self, other: &Checked<K>) -> bool {
        *self == other.0
    }
}

impl<K> PartialEq<Checked<K>> for String {
    fn eq(&self, other: &Checked<K>) -> bool {
        *self == other.0
    }
}

impl<K> Serialize for Checked<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, K: Check> Deserialize<'de> for Checked<K> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(|e| serde::de::Error::custom(e.message))
    }
}
