//! Conversation signals: how an approach developed over its messages and
//! their dates.
//!
//! Each of the sender's messages gets a stage from the rules that fired in it
//! (their `stage`, by default their family's): harmless contact, rapport (persuasion), offer, request
//! for non-public material, secrecy, and a shift (a move to another channel
//! or address, or payment in crypto). Public cases (Mallory, Yao; the DGSI and
//! MI5 warnings) follow that order over weeks or months.

use super::Builtin;
use crate::approach::{Approach, Author};
use crate::dates::timestamp_day;
use crate::verdict::Evidence;

/// The stage of one message in an approach's development.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Nothing of note.
    Contact,
    /// Flattery, urgency, personal questions.
    Rapport,
    /// Money, travel, gifts, a job.
    Offer,
    /// Non-public material, documents, colleagues, access.
    Request,
    /// Keeping the contact secret, or its sponsor unnamed.
    Secrecy,
    /// Another channel or address, or payment in crypto.
    Shift,
}

impl Stage {
    fn word(self) -> &'static str {
        match self {
            Stage::Contact => "first contact",
            Stage::Rapport => "rapport",
            Stage::Offer => "offer",
            Stage::Request => "request",
            Stage::Secrecy => "secrecy",
            Stage::Shift => "move off the record",
        }
    }
}

/// What the engine knows about one of the sender's messages.
#[derive(Debug, Clone)]
pub struct MessageStages {
    /// Index into `messages`.
    pub message: usize,
    /// The stages its hits belong to, with the first evidence of each.
    pub stages: Vec<(Stage, Evidence)>,
}

impl MessageStages {
    fn has(&self, stage: Stage) -> Option<&Evidence> {
        self.stages
            .iter()
            .find(|(s, _)| *s == stage)
            .map(|(_, e)| e)
    }

    fn top(&self) -> Stage {
        self.stages
            .iter()
            .map(|(s, _)| *s)
            .max()
            .unwrap_or(Stage::Contact)
    }
}

/// The conversation signals of an approach, given the stages of the
/// sender's messages (in message order).
pub fn conversation_signals(
    approach: &Approach,
    sender: &[MessageStages],
    out: &mut Vec<(Builtin, Vec<Evidence>)>,
) {
    let first_is_sender = approach
        .messages
        .first()
        .is_some_and(|m| m.from == Author::Sender);
    if let Some(first) = sender.first()
        && first_is_sender
        && first.message == 0
        && let Some(e) = first.has(Stage::Offer)
    {
        out.push((Builtin::ConversationColdOffer, vec![e.clone()]));
    }
    // A move to another app or address; secrecy alone is not one (a
    // constituent may ask for it in a first letter), and has its own rules.
    if let Some(e) = sender.iter().take(2).find_map(|m| m.has(Stage::Shift)) {
        out.push((Builtin::ConversationEarlyChannelShift, vec![e.clone()]));
    }
    // An offer followed, in a later message, by a request.
    let first_offer = sender.iter().position(|m| m.has(Stage::Offer).is_some());
    if let Some(i) = first_offer
        && let Some(later) = sender[i + 1..]
            .iter()
            .find(|m| m.has(Stage::Request).is_some())
        && let (Some(offer), Some(request)) =
            (sender[i].has(Stage::Offer), later.has(Stage::Request))
    {
        out.push((
            Builtin::ConversationOfferThenRequest,
            vec![offer.clone(), request.clone()],
        ));
    }
    if let Some(evidence) = escalation(approach, sender) {
        out.push((Builtin::ConversationEscalation, evidence));
    }
}

/// Escalation: at least three messages from the sender, the first harmless
/// (contact or rapport), and later ones climbing to an offer and then to a
/// request, secrecy or a shift. The evidence quotes the first message of each new
/// stage and, when messages are dated, the timeline.
fn escalation(approach: &Approach, sender: &[MessageStages]) -> Option<Vec<Evidence>> {
    if sender.len() < 3 || sender[0].top() > Stage::Rapport {
        return None;
    }
    let mut highest = sender[0].top();
    let mut steps: Vec<(usize, Stage, Evidence)> = Vec::new();
    let mut climbs = 0;
    for m in &sender[1..] {
        let top = m.top();
        if top > highest {
            climbs += 1;
            highest = top;
            if let Some(e) = m.has(top) {
                steps.push((m.message, top, e.clone()));
            }
        }
    }
    if highest < Stage::Request || climbs < 2 {
        return None;
    }
    let mut evidence: Vec<Evidence> = steps.iter().map(|(_, _, e)| e.clone()).collect();
    let first_day = approach
        .messages
        .get(sender[0].message)
        .and_then(|m| m.sent_at.as_deref())
        .and_then(timestamp_day);
    if let Some(first_day) = first_day {
        let mut timeline = vec![format!("{first_day}: {}", Stage::Contact.word())];
        for (message, stage, _) in &steps {
            let day = approach
                .messages
                .get(*message)
                .and_then(|m| m.sent_at.as_deref())
                .and_then(timestamp_day);
            if let Some(day) = day {
                let days = (day - first_day).whole_days();
                timeline.push(format!("{day} (day {days}): {}", stage.word()));
            }
        }
        evidence.push(Evidence::Field {
            field: "messages".to_owned(),
            text: timeline.join("; "),
        });
    }
    Some(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approach::Message;

    fn ev(message: usize) -> Evidence {
        Evidence::Message {
            message,
            start: 0,
            end: 1,
            text: "x".into(),
        }
    }

    fn msg(day: u32) -> Message {
        Message {
            sent_at: Some(format!("2025-01-{day:02}T10:00:00Z")),
            text: "x".into(),
            ..Message::default()
        }
    }

    /// An approach of one sender message on each of these days.
    fn on_days(days: &[u32]) -> Approach {
        Approach {
            messages: days.iter().map(|&d| msg(d)).collect(),
            ..Approach::default()
        }
    }

    fn stages(message: usize, s: &[Stage]) -> MessageStages {
        MessageStages {
            message,
            stages: s.iter().map(|s| (*s, ev(message))).collect(),
        }
    }

    fn ids(a: &Approach, s: &[MessageStages]) -> Vec<&'static str> {
        let mut out = Vec::new();
        conversation_signals(a, s, &mut out);
        out.iter().map(|(b, _)| b.info().id).collect()
    }

    /// The timeline an escalation ends its evidence with.
    fn timeline(a: &Approach, s: &[MessageStages]) -> String {
        let mut out = Vec::new();
        conversation_signals(a, s, &mut out);
        let escalation = out
            .iter()
            .find(|(b, _)| *b == Builtin::ConversationEscalation);
        match escalation.and_then(|(_, evidence)| evidence.last()) {
            Some(Evidence::Field { text, .. }) => text.clone(),
            _ => panic!("no timeline"),
        }
    }

    #[test]
    fn slow_escalation_is_reported_with_a_timeline() {
        let a = on_days(&[1, 9, 20, 30]);
        let s = [
            stages(0, &[]),
            stages(1, &[Stage::Rapport]),
            stages(2, &[Stage::Offer]),
            stages(3, &[Stage::Request]),
        ];
        assert_eq!(
            ids(&a, &s),
            ["FW-CONV-OFFER-THEN-REQUEST", "FW-CONV-ESCALATION"]
        );
        let text = timeline(&a, &s);
        assert!(text.contains("2025-01-30 (day 29): request"), "{text}");
    }

    #[test]
    fn cold_offer_and_early_shift() {
        let a = on_days(&[1]);
        let s = [stages(0, &[Stage::Offer, Stage::Shift])];
        assert_eq!(
            ids(&a, &s),
            ["FW-CONV-COLD-OFFER", "FW-CONV-EARLY-CHANNEL-SHIFT"]
        );
    }

    #[test]
    fn secrecy_is_no_early_shift_but_counts_as_a_step() {
        // A first letter that asks for discretion moves nowhere.
        let one = on_days(&[1]);
        assert!(ids(&one, &[stages(0, &[Stage::Secrecy])]).is_empty());
        // Secrecy after an offer and a request is still a climb.
        let four = on_days(&[1, 5, 9, 14]);
        let s = [
            stages(0, &[]),
            stages(1, &[Stage::Offer]),
            stages(2, &[Stage::Request]),
            stages(3, &[Stage::Secrecy]),
        ];
        assert_eq!(
            ids(&four, &s),
            ["FW-CONV-OFFER-THEN-REQUEST", "FW-CONV-ESCALATION"]
        );
        let text = timeline(&four, &s);
        assert!(text.ends_with("(day 13): secrecy"), "{text}");
    }

    #[test]
    fn harmless_threads_fire_nothing() {
        let a = on_days(&[1, 2, 3]);
        let s = [stages(0, &[]), stages(1, &[Stage::Rapport]), stages(2, &[])];
        assert!(ids(&a, &s).is_empty());
    }
}
