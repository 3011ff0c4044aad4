//! The approach JSON v1 domain model: one contact attempt, the sender's
//! profile as the recipient saw it and the messages so far.
//!
//! Unknown fields are ignored on input. Only `sender.name` and each message's
//! `text` are required; the reader in `forewarn-ingest` reports missing ones
//! with their location.

use serde::{Deserialize, Serialize};

/// One approach: the sender, the recipient and the messages exchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Approach {
    /// Identifier, required in `.jsonl` input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where the approach happened (`linkedin`, `email`, `wechat`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// The sender's profile as the recipient saw it.
    pub sender: Sender,
    /// Who was approached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Recipient>,
    /// The messages so far, oldest first.
    #[serde(default)]
    pub messages: Vec<Message>,
}

/// The channel an approach arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Channel {
    Linkedin,
    Email,
    Wechat,
    Whatsapp,
    Telegram,
    Signal,
    Sms,
    Phone,
    InPerson,
    #[serde(other)]
    Other,
}

/// The sender's profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sender {
    /// Display name (required).
    pub name: String,
    /// Profile headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Claimed organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Claimed location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Profile URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    /// E-mail addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Phone numbers, in any format.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    /// Account creation date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_created: Option<String>,
    /// Number of connections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<u64>,
    /// Number of connections shared with the recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutual_connections: Option<u64>,
    /// Profile photo hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<Photo>,
    /// The profile's free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// Work history, as listed on the profile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub experience: Vec<Experience>,
}

/// Hashes of a profile photo.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    /// SHA-256 of the image bytes, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// 64-bit perceptual hash, 16 hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phash: Option<String>,
}

/// One entry of a profile's work history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Experience {
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Employer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Start, `YYYY-MM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// End, `YYYY-MM`, or absent for a current position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

/// The person approached.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Role, such as `mp` or `civil_servant`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The sender of the approach (the default).
    #[default]
    Sender,
    /// The person approached.
    Recipient,
}

/// One message of an approach.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// When it was sent, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    /// Who wrote it.
    #[serde(default)]
    pub from: Author,
    /// Subject line, for e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The message body (required).
    pub text: String,
}

impl Approach {
    /// An approach of one message from a sender of that name, and nothing
    /// else: what tests and examples start from.
    pub fn one_message(sender: &str, text: &str) -> Approach {
        Approach {
            sender: Sender {
                name: sender.to_owned(),
                ..Sender::default()
            },
            messages: vec![Message {
                text: text.to_owned(),
                ..Message::default()
            }],
            ..Approach::default()
        }
    }

    /// The messages written by the sender, with their index in `messages`.
    pub fn sender_messages(&self) -> impl Iterator<Item = (usize, &Message)> {
        self.messages
            .iter()
            .enumerate()
            .filter(|(_, m)| m.from == Author::Sender)
    }
}

/// A field of an approach that is present but not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// Path of the field, such as `messages.2.sent_at`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl Approach {
    /// Checks what the types alone cannot: a non-empty sender name, and the
    /// formats of dates and photo hashes.
    pub fn validate(&self) -> Result<(), FieldError> {
        let fail = |field: String, message: &str| {
            Err(FieldError {
                field,
                message: message.to_owned(),
            })
        };
        if self.sender.name.trim().is_empty() {
            return fail("sender.name".into(), "empty");
        }
        if let Some(d) = &self.sender.account_created
            && crate::dates::parse_day(d).is_none()
        {
            return fail("sender.account_created".into(), "not a YYYY-MM-DD date");
        }
        if let Some(phash) = self.sender.photo.as_ref().and_then(|p| p.phash.as_deref())
            && (phash.len() != 16 || !phash.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return fail("sender.photo.phash".into(), "not 16 hexadecimal digits");
        }
        for (i, e) in self.sender.experience.iter().enumerate() {
            for (name, value) in [("start", &e.start), ("end", &e.end)] {
                if let Some(v) = value
                    && crate::dates::parse_month(v).is_none()
                {
                    return fail(
                        format!("sender.experience.{i}.{name}"),
                        "not a YYYY-MM month",
                    );
                }
            }
        }
        for (i, m) in self.messages.iter().enumerate() {
            if let Some(t) = &m.sent_at
                && crate::dates::parse_timestamp(t).is_none()
            {
                return fail(format!("messages.{i}.sent_at"), "not an RFC 3339 timestamp");
            }
        }
        Ok(())
    }
}
