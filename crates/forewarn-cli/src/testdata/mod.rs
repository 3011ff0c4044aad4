//! Synthetic, realistic test data for `forewarn scan`: LinkedIn data
//! exports in the real file layout, and mboxes, with planted hostile and
//! benign conversations among ordinary ones, deterministic for a seed.

pub mod linkedin;
pub mod mbox;
pub mod scripts;

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

/// First names of generated people.
pub const FIRST: &[&str] = &[
    "Amelia", "Wei", "Fatima", "Piotr", "Chinedu", "Sofia", "Hiroshi", "Aisha", "Lukas", "Mei",
    "Omar", "Grace", "Arjun", "Elena", "Kwame", "Yuki", "Hannah", "Mateus", "Leila", "Tomasz",
    "Renée", "Zoë", "Siobhán", "José",
];
/// Family names of generated people.
pub const LAST: &[&str] = &[
    "Hughes", "Zhang", "Al-Sayed", "Kowalski", "Okafor", "Rossi", "Tanaka", "Khan", "Weber", "Lin",
    "Haddad", "Mensah", "Patel", "Novak", "Silva", "Nguyen", "Brennan", "Moreau", "Santos",
    "Ivanova",
];
const COMPANIES: &[&str] = &[
    "Department for Business and Trade",
    "House of Commons",
    "Office for National Statistics",
    "Institute for Fiscal Studies",
    "Chatham House",
    "University College London",
    "Deloitte",
    "BBC News",
    "Local Government Association",
    "NHS England",
    "Arup",
    "Citizens Advice",
    "The Law Society",
    "Oxfam GB",
    "Rolls-Royce",
];
const POSITIONS: &[&str] = &[
    "Policy Adviser",
    "Senior Economist",
    "Parliamentary Assistant",
    "Research Fellow",
    "Head of Communications",
    "Caseworker",
    "Software Engineer",
    "Journalist",
    "Programme Manager",
    "Lecturer",
    "Chief of Staff",
    "Analyst",
];
const CITIES: &[&str] = &[
    "Beijing",
    "Shanghai",
    "Hangzhou",
    "Shenzhen",
    "Hong Kong",
    "Dubai",
];
const AMOUNTS: &[&str] = &["£2,000", "$3,000", "£5,000", "USD 1,500", "£800", "€4,000"];

/// The label of a generated conversation or message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// A planted hostile approach.
    Hostile,
    /// A planted benign hard negative.
    Benign,
    /// Ordinary traffic.
    Ordinary,
}

/// One line of a labels file.
#[derive(Debug, Serialize)]
pub struct LabelLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<&'a str>,
    pub label: Label,
    pub kind: &'a str,
}

/// Writes a labels file (JSON Lines).
pub fn write_labels(path: &Path, lines: &[LabelLine<'_>]) -> Result<()> {
    let mut out = Vec::new();
    for line in lines {
        serde_json::to_writer(&mut out, line)?;
        out.push(b'\n');
    }
    let mut file = std::fs::File::create(path)
        .with_context(|| format!("cannot create `{}`", path.display()))?;
    file.write_all(&out)
        .with_context(|| format!("cannot write `{}`", path.display()))
}

/// Picks one of `list`.
pub fn pick<'a>(rng: &mut fastrand::Rng, list: &[&'a str]) -> &'a str {
    list[rng.usize(..list.len())]
}

/// The slots of one planted or ordinary conversation.
pub struct Slots<'a> {
    pub member_first: &'a str,
    pub counterpart_first: &'a str,
    pub company: &'a str,
    pub city: &'a str,
    pub amount: &'a str,
}

impl Slots<'_> {
    /// Fills the slots of `text`.
    pub fn fill(&self, text: &str) -> String {
        text.replace("{first}", self.member_first)
            .replace("{me}", self.counterpart_first)
            .replace("{name}", self.counterpart_first)
            .replace("{company}", self.company)
            .replace("{city}", self.city)
            .replace("{amount}", self.amount)
    }
}

/// Where each planted script goes among `total` conversations: positions
/// spread by the seed, with their labels and scripts.
pub fn plant(
    rng: &mut fastrand::Rng,
    total: usize,
    hostile: usize,
    benign: usize,
) -> Vec<Option<(Label, &'static scripts::Script)>> {
    let mut slots: Vec<Option<(Label, &'static scripts::Script)>> = vec![None; total];
    let mut free: Vec<usize> = (0..total).collect();
    rng.shuffle(&mut free);
    let planted = (0..hostile)
        .map(|i| {
            (
                Label::Hostile,
                &scripts::HOSTILE[i % scripts::HOSTILE.len()],
            )
        })
        .chain((0..benign).map(|i| (Label::Benign, &scripts::BENIGN[i % scripts::BENIGN.len()])));
    for (slot, plant) in free.into_iter().zip(planted) {
        slots[slot] = Some(plant);
    }
    slots
}

/// A random company and position for an ordinary person.
pub fn ordinary_job<'a>(rng: &mut fastrand::Rng) -> (&'a str, &'a str) {
    (pick(rng, COMPANIES), pick(rng, POSITIONS))
}

/// A random city and amount for a hostile script.
pub fn hostile_slots<'a>(rng: &mut fastrand::Rng) -> (&'a str, &'a str) {
    (pick(rng, CITIES), pick(rng, AMOUNTS))
}
