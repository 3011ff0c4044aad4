//! One STIX object, kept exactly as written.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The STIX 2.1 domain object types (SDOs).
pub const DOMAIN_TYPES: &[&str] = &[
    "attack-pattern",
    "campaign",
    "course-of-action",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "location",
    "malware",
    "malware-analysis",
    "note",
    "observed-data",
    "opinion",
    "report",
    "threat-actor",
    "tool",
    "vulnerability",
];

/// The STIX 2.1 relationship object types (SROs).
pub const RELATIONSHIP_TYPES: &[&str] = &["relationship", "sighting"];

/// The STIX 2.1 cyber-observable object types (SCOs).
pub const OBSERVABLE_TYPES: &[&str] = &[
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
];

/// The STIX 2.1 meta object types.
pub const META_TYPES: &[&str] = &[
    "extension-definition",
    "language-content",
    "marking-definition",
];

/// What kind of STIX object a type names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// A domain object (report, threat-actor, indicator, ...).
    Domain,
    /// A relationship or sighting.
    Relationship,
    /// A cyber-observable (url, email-addr, user-account, ...).
    Observable,
    /// A marking, extension or language definition.
    Meta,
    /// A type the specification does not define (a custom object).
    Custom,
}

impl Category {
    /// The category of an object type.
    pub fn of(object_type: &str) -> Category {
        if DOMAIN_TYPES.contains(&object_type) {
            Category::Domain
        } else if RELATIONSHIP_TYPES.contains(&object_type) {
            Category::Relationship
        } else if OBSERVABLE_TYPES.contains(&object_type) {
            Category::Observable
        } else if META_TYPES.contains(&object_type) {
            Category::Meta
        } else {
            Category::Custom
        }
    }
}

/// One STIX object: every property as written, in the order written,
/// whether forewarn knows it or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StixObject(Map<String, Value>);

impl StixObject {
    /// Wraps a JSON object.
    pub fn from_map(properties: Map<String, Value>) -> StixObject {
        StixObject(properties)
    }

    /// Every property, in order.
    pub fn properties(&self) -> &Map<String, Value> {
        &self.0
    }

    /// Every property, for changing.
    pub fn properties_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.0
    }

    /// The object's `type`.
    pub fn object_type(&self) -> Option<&str> {
        self.str_property("type")
    }

    /// The object's `id`.
    pub fn id(&self) -> Option<&str> {
        self.str_property("id")
    }

    /// What kind of object this is, by its `type`.
    pub fn category(&self) -> Category {
        Category::of(self.object_type().unwrap_or_default())
    }

    /// A property that is a string.
    pub fn str_property(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    /// A property that is a list of strings; other entries are skipped.
    pub fn str_list(&self, name: &str) -> Vec<&str> {
        self.0
            .get(name)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// The object's `name`.
    pub fn name(&self) -> Option<&str> {
        self.str_property("name")
    }

    /// The object's `aliases`.
    pub fn aliases(&self) -> Vec<&str> {
        self.str_list("aliases")
    }

    /// Every reference the object makes to another object, with the
    /// property it is made in: top-level `*_ref` and `*_refs` properties,
    /// and the `marking_ref` of granular markings.
    pub fn references(&self) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        for (name, value) in &self.0 {
            if name.ends_with("_ref") {
                if let Some(id) = value.as_str() {
                    out.push((name.clone(), id));
                }
            } else if name.ends_with("_refs")
                && let Some(items) = value.as_array()
            {
                for (i, item) in items.iter().enumerate() {
                    if let Some(id) = item.as_str() {
                        out.push((format!("{name}[{i}]"), id));
                    }
                }
            }
        }
        if let Some(markings) = self.0.get("granular_markings").and_then(Value::as_array) {
            for (i, marking) in markings.iter().enumerate() {
                if let Some(id) = marking.get("marking_ref").and_then(Value::as_str) {
                    out.push((format!("granular_markings[{i}].marking_ref"), id));
                }
            }
        }
        out
    }
}

/// The type part of a STIX identifier (`indicator` in `indicator--<uuid>`).
pub fn id_type(id: &str) -> Option<&str> {
    id.split_once("--").map(|(t, _)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(json: &str) -> StixObject {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn keeps_every_property_in_order() {
        let text = r#"{"type":"threat-actor","id":"threat-actor--1","zeta":1,"name":"A","x_custom":{"b":2,"a":1}}"#;
        let o = object(text);
        assert_eq!(serde_json::to_string(&o).unwrap(), text);
        assert_eq!(o.name(), Some("A"));
        assert_eq!(o.category(), Category::Domain);
    }

    #[test]
    fn lists_references() {
        let o = object(
            r#"{"type":"report","created_by_ref":"identity--1","object_refs":["a--1","b--2"],
                "granular_markings":[{"marking_ref":"marking-definition--3","selectors":["name"]}]}"#,
        );
        let refs: Vec<String> = o
            .references()
            .iter()
            .map(|(p, id)| format!("{p}={id}"))
            .collect();
        assert_eq!(
            refs,
            [
                "created_by_ref=identity--1",
                "object_refs[0]=a--1",
                "object_refs[1]=b--2",
                "granular_markings[0].marking_ref=marking-definition--3"
            ]
        );
    }

    #[test]
    fn categories() {
        assert_eq!(Category::of("sighting"), Category::Relationship);
        assert_eq!(Category::of("email-addr"), Category::Observable);
        assert_eq!(Category::of("marking-definition"), Category::Meta);
        assert_eq!(Category::of("x-forewarn-persona"), Category::Custom);
        assert_eq!(id_type("indicator--abc"), Some("indicator"));
    }
}
