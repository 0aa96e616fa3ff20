//! Reads a sent form into a struct of text fields (the domain's `*Input`s)
//! by the struct's own field names, as a form handler would one field at a
//! time: each field gets the first value sent under its name, or an empty
//! string when nothing was; a list field gets every value sent under its
//! name (checkbox groups). What the struct does not name (the CSRF token)
//! is left alone.

use serde::de::value::{Error, MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, Visitor};

/// The struct `T` read from a form's key/value pairs; it fails only for a
/// `T` that is not a struct of text and list-of-text fields.
pub(crate) fn decode<T: DeserializeOwned>(pairs: &[(String, String)]) -> Result<T, Error> {
    T::deserialize(Fields(pairs))
}

/// The whole form, read as a struct.
struct Fields<'a>(&'a [(String, String)]);

impl<'de> Deserializer<'de> for Fields<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
        Err(de::Error::custom(
            "a form reads into a struct of named fields",
        ))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        names: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let pairs = self.0;
        let fields = names.iter().map(|&name| (name, Values { pairs, name }));
        visitor.visit_map(MapDeserializer::new(fields))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// What was sent under one name.
struct Values<'a> {
    pairs: &'a [(String, String)],
    name: &'static str,
}

impl<'a> Values<'a> {
    fn all(&self) -> impl Iterator<Item = &'a str> {
        let name = self.name;
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl<'de> IntoDeserializer<'de, Error> for Values<'_> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for Values<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(self.all().next().unwrap_or_default())
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(SeqDeserializer::new(self.all()))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::decode;
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Input {
        name: String,
        code: String,
        tags: Vec<String>,
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn each_field_takes_its_first_value_or_nothing() {
        let sent = pairs(&[("_csrf", "x"), ("name", "Kalmar"), ("name", "Other")]);
        let input: Input = decode(&sent).unwrap();
        assert_eq!(
            input,
            Input {
                name: "Kalmar".into(),
                code: String::new(),
                tags: vec![],
            }
        );
    }

    #[test]
    fn a_list_field_takes_every_value() {
        let sent = pairs(&[("tags", "a"), ("code", "08"), ("tags", "b")]);
        let input: Input = decode(&sent).unwrap();
        assert_eq!(input.tags, vec!["a", "b"]);
        assert_eq!(input.code, "08");
    }

    #[test]
    fn a_struct_with_other_kinds_of_field_is_refused() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Hours {
            hours: [String; 2],
        }
        assert!(decode::<Hours>(&pairs(&[("hours", "8-17")])).is_err());
    }
}
