//! Fairness: names never reach the model.
//!
//! Every approach of the dev split and the holdout set is re-written with the sender's name
//! swapped for names from many cultures, everywhere it appears: the name
//! field, greetings and signatures in the messages, the profile URL slug and
//! the e-mail's local part. Every score must stay exactly the same.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::path::PathBuf;

use common::ENGINE;
use forewarn_core::Approach;

const NAMES: &[&str] = &[
    "John Smith",
    "Amanda Qiu",
    "王芳",
    "Fatima Al-Hassan",
    "Katarzyna Wiśniewska",
    "Chukwuemeka Okonkwo",
    "Priya Natarajan",
    "José García",
    "Nguyễn Thị Lan",
    "Pieter van der Berg",
    "Ahmed bin Rashid",
];

fn dev_approaches() -> Vec<Approach> {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let mut files: Vec<PathBuf> = ["dev", "holdout"]
        .iter()
        .flat_map(|split| {
            std::fs::read_dir(corpus.join(split))
                .expect("corpus/dev and corpus/holdout are part of the repository")
        })
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        for line in std::fs::read_to_string(&file).unwrap().lines() {
            if !line.trim().is_empty() {
                out.push(serde_json::from_str(line).unwrap());
            }
        }
    }
    assert!(out.len() >= 100, "dev split too small: {}", out.len());
    out
}

/// Replaces `from` by `to` where `from` stands as a whole word, or
/// everywhere for a name in Chinese or Japanese characters: those scripts
/// put no spaces between words, so "我是卓远国际的刘思远" holds the name
/// with letters on both sides.
fn replace_word(text: &str, from: &str, to: &str) -> String {
    if from.is_empty() {
        return text.to_owned();
    }
    if from.chars().any(forewarn_core::normalise::is_cjk) {
        return text.replace(from, to);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + from.len()..].chars().next();
        let boundary =
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..i]);
        out.push_str(if boundary { to } else { from });
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

fn slug(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The approach with the sender called `new` instead.
fn swap_name(a: &Approach, new: &str) -> Approach {
    let old = a.sender.name.clone();
    // A part in a script without spaces ends at any mark, as the engine
    // reads it ("《倫敦港人週報》編輯部" is "倫敦港人週報" and "編輯部"), so
    // the text's other uses of a part ("【倫敦港人週報】") are swapped too.
    let old_parts: Vec<&str> = old
        .split_whitespace()
        .flat_map(|part| {
            let cjk = part.chars().any(forewarn_core::normalise::is_cjk);
            part.split(move |c: char| cjk && !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
        })
        .collect();
    let new_parts: Vec<&str> = new.split_whitespace().collect();
    // A part of a name is swapped where it is written as a name: with a
    // capital, or in a script without case. A lower-case part of a name
    // field is an ordinary word ("défense" of a sender that signs as
    // "Bureau de la sécurité de défense"), and its other uses in the text
    // are no name to swap.
    let written_as_name = |part: &&&str| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || forewarn_core::normalise::is_cjk(c))
    };
    let replace = |text: &str| {
        let mut t = replace_word(text, &old, new);
        if let (Some(of), Some(nf)) = (old_parts.first().filter(written_as_name), new_parts.first())
        {
            t = replace_word(&t, of, nf);
        }
        if old_parts.len() > 1
            && let (Some(ol), Some(nl)) =
                (old_parts.last().filter(written_as_name), new_parts.last())
        {
            t = replace_word(&t, ol, nl);
        }
        t
    };
    let mut b = a.clone();
    b.sender.name = new.to_owned();
    for m in &mut b.messages {
        m.text = replace(&m.text);
        m.subject = m.subject.as_deref().map(replace);
    }
    b.sender.about = b.sender.about.as_deref().map(replace);
    b.sender.headline = b.sender.headline.as_deref().map(replace);
    let new_slug = slug(new);
    if let Some(url) = &b.sender.profile_url
        && let Some(at) = url.find("/in/")
    {
        b.sender.profile_url = Some(format!("{}/in/{new_slug}-4471", &url[..at]));
    }
    let local = new_slug.replace('-', ".");
    let old_local: Vec<String> = a
        .sender
        .emails
        .iter()
        .filter_map(|e| e.split_once('@').map(|(l, _)| l.to_owned()))
        .collect();
    b.sender.emails = a
        .sender
        .emails
        .iter()
        .map(|e| match e.split_once('@') {
            Some((_, domain)) => format!("{local}@{domain}"),
            None => e.clone(),
        })
        .collect();
    // The e-mail address may also appear in the messages.
    for m in &mut b.messages {
        for l in &old_local {
            m.text = m.text.replace(&format!("{l}@"), &format!("{local}@"));
        }
    }
    b
}

#[test]
fn swapping_sender_names_never_changes_a_score() {
    let engine = &*ENGINE;
    let mut compared = 0;
    for a in dev_approaches() {
        let base = engine.evaluate(&a);
        for name in NAMES {
            let swapped = swap_name(&a, name);
            let v = engine.evaluate(&swapped);
            assert_eq!(
                (v.score, v.risk),
                (base.score, base.risk),
                "{}: renaming {:?} to {:?} changed the score",
                a.id.as_deref().unwrap_or("?"),
                a.sender.name,
                name
            );
            let ids = |v: &forewarn_core::Verdict| {
                v.signals.iter().map(|s| s.id.clone()).collect::<Vec<_>>()
            };
            assert_eq!(
                ids(&v),
                ids(&base),
                "{}: signals changed",
                a.id.as_deref().unwrap_or("?")
            );
            compared += 1;
        }
    }
    assert!(compared > 1000);
}

#[test]
fn the_swap_really_changes_the_text() {
    let a = dev_approaches()
        .into_iter()
        .find(|a| {
            let first = a.sender.name.split_whitespace().next().unwrap_or("");
            a.messages.iter().any(|m| m.text.contains(first))
        })
        .expect("some dev approach signs with the sender's name");
    let b = swap_name(&a, "Chukwuemeka Okonkwo");
    assert_ne!(a.messages, b.messages);
}
