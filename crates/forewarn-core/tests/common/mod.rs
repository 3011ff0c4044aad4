//! What the integration tests of `forewarn-core` share.

use std::sync::LazyLock;

use forewarn_core::{Approach, Engine, EngineConfig, Model, RuleSet};

/// The default engine (default rules, shipped model), built once.
pub static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    Engine::new(
        RuleSet::default_pack().unwrap(),
        Model::shipped().unwrap(),
        EngineConfig::default(),
    )
});

/// An approach of one message from the sender.
#[allow(dead_code)]
pub fn one_message(text: &str) -> Approach {
    Approach::one_message("A. Sender", text)
}
