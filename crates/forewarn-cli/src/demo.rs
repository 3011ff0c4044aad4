//! Demo data for `forewarn serve --demo`, plainly marked: accounts under
//! `demo.invalid`, the example alert, and about 50 reports from about 30
//! members, including one campaign of near-identical approaches.

use anyhow::{Context, Result};
use forewarn_core::{Approach, Author, Message, Recipient, Sender, approach::Channel};
use forewarn_server::evidence::EvidenceKeys;
use forewarn_store::{Store, TrustedKey};

use crate::engine_options::EngineOptions;
use crate::testdata::scripts::{self, Who};
use crate::testdata::{FIRST, LAST, Slots, pick};

/// The password of every demo account.
pub const PASSWORD: &str = "demo-password";

const ALERT: &[u8] = include_bytes!("../../../examples/alerts/parliament-2025-11.json");
const ALERT_SIGNATURE: &str = include_str!("../../../examples/alerts/parliament-2025-11.json.sig");
const ALERT_KEY: &str = include_str!("../../../examples/alerts/example-issuer.pub");

/// Members who report, besides member@demo.invalid.
const MEMBERS: usize = 29;

/// Seeds demo data into `store` if it has no account yet; says what it
/// did on standard error.
pub fn seed(store: &Store, engine: &EngineOptions, keys: &EvidenceKeys) -> Result<()> {
    if store.account_count()? > 0 {
        eprintln!("forewarn: the store already has accounts: demo data not added");
        return Ok(());
    }
    let hash = forewarn_server::auth::hash_password(PASSWORD)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let now = crate::now_rfc3339();
    // One hash for every demo account: they share one published password.
    let mut accounts = Vec::new();
    for (email, roles) in [
        ("member@demo.invalid", "member"),
        ("analyst@demo.invalid", "member,analyst"),
        ("admin@demo.invalid", "admin"),
    ] {
        accounts.push(
            store
                .create_account(email, &hash, roles, &now)?
                .context("demo account")?,
        );
    }
    let mut members = vec![accounts[0].id];
    for i in 1..=MEMBERS {
        let account = store
            .create_account(
                &format!("member-{i:02}@demo.invalid"),
                &hash,
                "member",
                &now,
            )?
            .context("demo account")?;
        members.push(account.id);
    }
    import_alert(store)?;
    let engine = engine.engine()?;
    let mut rng = fastrand::Rng::with_seed(2025);
    let mut count = 0;
    // The campaign: one persona writes the same offer to eight members.
    for (n, member) in members.iter().take(8).enumerate() {
        let approach = conversation(
            &mut rng,
            &scripts::HOSTILE[0],
            Some(("Lena Zhou", "Brightyear Executive Search")),
            n,
        );
        store_report(store, &engine, keys, *member, approach, n)?;
        count += 1;
    }
    let scripts: Vec<&scripts::Script> = scripts::HOSTILE[1..]
        .iter()
        .chain(scripts::BENIGN)
        .collect();
    for (n, member) in members.iter().cycle().skip(8).take(42).enumerate() {
        let script = scripts[n % scripts.len()];
        let approach = conversation(&mut rng, script, None, n + 8);
        store_report(store, &engine, keys, *member, approach, n + 8)?;
        count += 1;
    }
    eprintln!(
        "forewarn: DEMO DATA added: {} accounts, the example alert, {count} reports (one campaign of 8)",
        members.len() + 2
    );
    Ok(())
}

/// Adds `count` generated reports, from the demo members, to a store that
/// has the demo accounts (seeded first when the store is empty): the load
/// of a server that has run for years, for benchmarks.
pub fn bulk_reports(
    store: &Store,
    engine: &EngineOptions,
    keys: &EvidenceKeys,
    count: usize,
    seed_value: u64,
) -> Result<usize> {
    if store.account_count()? == 0 {
        seed(store, engine, keys)?;
    }
    let members: Vec<i64> = store
        .accounts()?
        .into_iter()
        .filter(|a| a.email.ends_with("@demo.invalid") && a.roles.contains("member"))
        .map(|a| a.id)
        .collect();
    anyhow::ensure!(
        !members.is_empty(),
        "the store has no demo members to report from"
    );
    let engine = engine.engine()?;
    let mut rng = fastrand::Rng::with_seed(seed_value);
    let all: Vec<&scripts::Script> = scripts::HOSTILE.iter().chain(scripts::BENIGN).collect();
    for n in 0..count {
        let script = all[rng.usize(..all.len())];
        let approach = conversation(&mut rng, script, None, n);
        let member = members[rng.usize(..members.len())];
        store_report(store, &engine, keys, member, approach, n)?;
    }
    Ok(count)
}

fn import_alert(store: &Store) -> Result<()> {
    let key = forewarn_stix::PublicKey::from_text(ALERT_KEY)?;
    store.trust_key(&TrustedKey {
        fingerprint: key.fingerprint(),
        name: "Example issuer (demo)".to_owned(),
        public_key: key.to_text(),
        added_at: crate::now_rfc3339(),
    })?;
    let signature = forewarn_stix::DetachedSignature::from_text(ALERT_SIGNATURE)?;
    key.verify(ALERT, &signature)
        .context("the example alert's signature does not match")?;
    let bundle = forewarn_stix::Bundle::parse(ALERT)?;
    let stored = forewarn_server::stored_alert(
        ALERT.to_vec(),
        &bundle,
        Some(key.fingerprint()),
        Some(signature.to_text()),
    )
    .context("the example alert has no id")?;
    store.put_alert(&stored)?;
    Ok(())
}

/// An approach from a script: the persona given, or a generated person.
fn conversation(
    rng: &mut fastrand::Rng,
    script: &scripts::Script,
    persona: Option<(&str, &str)>,
    n: usize,
) -> Approach {
    let name = persona.map_or_else(
        || format!("{} {}", pick(rng, FIRST), pick(rng, LAST)),
        |p| p.0.to_owned(),
    );
    let company = persona.map_or(script.company, |p| p.1);
    let (city, amount) = crate::testdata::hostile_slots(rng);
    let first = name.split(' ').next().unwrap_or("").to_owned();
    let slots = Slots {
        member_first: "there",
        counterpart_first: &first,
        company,
        city,
        amount,
    };
    let start = 1_750_000_000 + (n as i64) * 86_400;
    let messages = script
        .lines
        .iter()
        .map(|(who, day, text)| Message {
            sent_at: time::OffsetDateTime::from_unix_timestamp(start + i64::from(*day) * 86_400)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                }),
            from: if *who == Who::You {
                Author::Recipient
            } else {
                Author::Sender
            },
            subject: None,
            text: slots.fill(text),
        })
        .collect();
    let slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Approach {
        id: None,
        channel: Some(Channel::Linkedin),
        sender: Sender {
            name,
            headline: Some(format!("{} at {company}", script.position)),
            organisation: Some(company.to_owned()),
            profile_url: Some(format!("https://www.linkedin.com/in/{slug}")),
            ..Sender::default()
        },
        recipient: Some(Recipient::default()),
        messages,
    }
}

fn store_report(
    store: &Store,
    engine: &forewarn_core::Engine,
    keys: &EvidenceKeys,
    member: i64,
    approach: Approach,
    n: usize,
) -> Result<()> {
    let at = time::OffsetDateTime::from_unix_timestamp(1_760_000_000 + (n as i64) * 7_200)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    let (report, _) = forewarn_server::judge::report(engine, keys, &approach, member, at)?;
    store.insert_report(&report, None, None)?;
    Ok(())
}
