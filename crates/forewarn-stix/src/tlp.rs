//! Traffic Light Protocol 2.0 markings, as defined for STIX by OASIS.
//!
//! The five marking definitions have fixed identifiers, so a bundle may
//! refer to them without including them.

/// The STIX extension that defines TLP 2.0 markings.
pub const TLP_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// A TLP 2.0 level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tlp {
    /// TLP:CLEAR: no limit on disclosure.
    Clear,
    /// TLP:GREEN: the community.
    Green,
    /// TLP:AMBER: the organisation and its clients.
    Amber,
    /// TLP:AMBER+STRICT: the organisation only.
    AmberStrict,
    /// TLP:RED: the named recipients only.
    Red,
}

/// Every level with its marking-definition id and name.
const LEVELS: [(Tlp, &str, &str); 5] = [
    (
        Tlp::Clear,
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "TLP:CLEAR",
    ),
    (
        Tlp::Green,
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "TLP:GREEN",
    ),
    (
        Tlp::Amber,
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "TLP:AMBER",
    ),
    (
        Tlp::AmberStrict,
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "TLP:AMBER+STRICT",
    ),
    (
        Tlp::Red,
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        "TLP:RED",
    ),
];

impl Tlp {
    /// The level a marking-definition id stands for.
    pub fn from_marking_id(id: &str) -> Option<Tlp> {
        LEVELS.iter().find(|(_, i, _)| *i == id).map(|(t, _, _)| *t)
    }

    /// The marking-definition id of this level.
    pub fn marking_id(self) -> &'static str {
        LEVELS
            .iter()
            .find(|(t, _, _)| *t == self)
            .map_or("", |(_, id, _)| id)
    }

    /// The level's name, as in "TLP:AMBER+STRICT".
    pub fn name(self) -> &'static str {
        LEVELS
            .iter()
            .find(|(t, _, _)| *t == self)
            .map_or("", |(_, _, name)| name)
    }
}

impl std::fmt::Display for Tlp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_agree() {
        for (level, id, name) in LEVELS {
            assert_eq!(Tlp::from_marking_id(id), Some(level));
            assert_eq!(level.marking_id(), id);
            assert_eq!(level.to_string(), name);
        }
        assert_eq!(Tlp::from_marking_id("marking-definition--0"), None);
    }

    /// The identifiers agree with OASIS's published marking definitions,
    /// where they are available.
    #[test]
    fn ids_match_the_published_definitions() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/stix/tlp2");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("skipped: {} is not here", dir.display());
            return;
        };
        let mut seen = 0;
        for entry in entries.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let bundle = crate::Bundle::parse(text.as_bytes()).unwrap();
            for o in bundle.of_type("marking-definition") {
                let level = Tlp::from_marking_id(o.id().unwrap()).unwrap();
                assert_eq!(o.name(), Some(level.name()));
                seen += 1;
            }
        }
        assert!(seen >= 3);
    }
}
