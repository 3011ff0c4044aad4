//! STIX bundles: read from bytes, written back without loss.

use serde_json::{Map, Value};

use crate::object::StixObject;

/// Largest bundle read, in bytes.
pub const MAX_BUNDLE_BYTES: usize = 64 << 20;

/// Why bytes are not a STIX bundle.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The bytes are larger than [`MAX_BUNDLE_BYTES`].
    #[error("the bundle is {size} bytes, more than the {MAX_BUNDLE_BYTES} forewarn reads")]
    TooLarge {
        /// Its size.
        size: usize,
    },
    /// The bytes are not JSON.
    #[error("line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON parser found.
        message: String,
    },
    /// The JSON is not a bundle.
    #[error("not a STIX bundle: {0}")]
    NotABundle(String),
}

/// A STIX bundle: its own properties, in order, and its objects.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// The bundle's properties in order; `objects` holds a placeholder so
    /// that the objects are written back where they stood.
    properties: Map<String, Value>,
    objects: Vec<StixObject>,
}

impl Bundle {
    /// Reads a bundle.
    pub fn parse(bytes: &[u8]) -> Result<Bundle, BundleError> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge { size: bytes.len() });
        }
        let value: Value = serde_json::from_slice(bytes).map_err(|e| BundleError::Json {
            line: e.line(),
            column: e.column(),
            message: without_position(&e.to_string()),
        })?;
        Bundle::from_value(value)
    }

    /// Makes a bundle of a JSON value.
    pub fn from_value(value: Value) -> Result<Bundle, BundleError> {
        let Value::Object(mut properties) = value else {
            return Err(BundleError::NotABundle(
                "the top level is not a JSON object".to_owned(),
            ));
        };
        match properties.get("type").and_then(Value::as_str) {
            Some("bundle") => {}
            Some(other) => {
                return Err(BundleError::NotABundle(format!(
                    "its type is `{other}`, not `bundle`"
                )));
            }
            // Some published bundles leave out `type`; their id still says
            // what they are (validation reports the missing `type`).
            None if properties
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.starts_with("bundle--")) => {}
            None => {
                return Err(BundleError::NotABundle(
                    "it has no `type` property".to_owned(),
                ));
            }
        }
        let objects = match properties.get_mut("objects") {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                let mut objects = Vec::with_capacity(items.len());
                for (i, item) in std::mem::take(items).into_iter().enumerate() {
                    match item {
                        Value::Object(map) => objects.push(StixObject::from_map(map)),
                        _ => {
                            return Err(BundleError::NotABundle(format!(
                                "objects[{i}] is not a JSON object"
                            )));
                        }
                    }
                }
                objects
            }
            Some(_) => {
                return Err(BundleError::NotABundle(
                    "`objects` is not a list".to_owned(),
                ));
            }
        };
        Ok(Bundle {
            properties,
            objects,
        })
    }

    /// A new bundle with the given id and objects.
    pub fn new(id: &str, objects: Vec<StixObject>) -> Bundle {
        let mut properties = Map::new();
        properties.insert("type".to_owned(), Value::from("bundle"));
        properties.insert("id".to_owned(), Value::from(id));
        properties.insert("objects".to_owned(), Value::Array(Vec::new()));
        Bundle {
            properties,
            objects,
        }
    }

    /// The bundle's `id`.
    pub fn id(&self) -> Option<&str> {
        self.properties.get("id").and_then(Value::as_str)
    }

    /// The bundle's own properties (`objects` holds a placeholder).
    pub fn properties(&self) -> &Map<String, Value> {
        &self.properties
    }

    /// The objects, in order.
    pub fn objects(&self) -> &[StixObject] {
        &self.objects
    }

    /// The first object with this id.
    pub fn get(&self, id: &str) -> Option<&StixObject> {
        self.objects.iter().find(|o| o.id() == Some(id))
    }

    /// The objects of one type.
    pub fn of_type<'a>(&'a self, object_type: &'a str) -> impl Iterator<Item = &'a StixObject> {
        self.objects
            .iter()
            .filter(move |o| o.object_type() == Some(object_type))
    }

    /// The bundle as a JSON value, every property where it stood.
    pub fn to_value(&self) -> Value {
        let mut properties = self.properties.clone();
        let objects = Value::Array(
            self.objects
                .iter()
                .map(|o| Value::Object(o.properties().clone()))
                .collect(),
        );
        if !self.objects.is_empty() || properties.contains_key("objects") {
            properties.insert("objects".to_owned(), objects);
        }
        Value::Object(properties)
    }

    /// The bundle as indented JSON, ending with a newline.
    pub fn to_json_pretty(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.to_value()).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// serde_json's message without its trailing " at line L column C".
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_unknown_properties_and_objects() {
        let text = r#"{"type":"bundle","id":"bundle--1","x_note":"kept","objects":[{"type":"x-unknown","id":"x-unknown--1","b":1,"a":[1.5,"s",null]}],"zz":true}"#;
        let bundle = Bundle::parse(text.as_bytes()).unwrap();
        assert_eq!(serde_json::to_string(&bundle.to_value()).unwrap(), text);
        assert_eq!(bundle.objects().len(), 1);
        assert!(bundle.get("x-unknown--1").is_some());
    }

    #[test]
    fn numbers_read_back_exactly() {
        // Found by fuzzing: without correctly rounded parsing this float
        // came back one unit in the last place away.
        let text = r#"{"type":"bundle","id":"bundle--1","x":{"y":-44444444444488888888888888888888888888888888.0}}"#;
        let bundle = Bundle::parse(text.as_bytes()).unwrap();
        let again = Bundle::parse(bundle.to_json_pretty().as_bytes()).unwrap();
        assert_eq!(again, bundle);
    }

    #[test]
    fn refuses_what_is_not_a_bundle() {
        let err = Bundle::parse(br#"{"type":"report"}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not a STIX bundle: its type is `report`, not `bundle`"
        );
        let err = Bundle::parse(b"{\n  \"type\": \"bundle\",\n  \"objects\": [1,}").unwrap_err();
        assert!(err.to_string().starts_with("line 3, column "), "{err}");
        let err = Bundle::parse(br#"{"type":"bundle","objects":[1]}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not a STIX bundle: objects[0] is not a JSON object"
        );
    }
}
