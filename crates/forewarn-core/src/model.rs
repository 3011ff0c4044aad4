//! The scoring model: logistic regression over the signals and the hashed
//! text features, calibrated with Platt scaling, with risk-band thresholds.
//!
//! The model file is JSON (`crates/forewarn-core/model/default.json`, embedded
//! in the binary), written by `forewarn train`. Training is deterministic:
//! the same corpus and seed give the same bytes.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use serde::{Deserialize, Serialize};

use crate::verdict::Risk;

/// The model file format this build reads. Format 2 hashes a pair of words
/// by mixing the two words' hashes (format 1 hashed the pair's bytes), so a
/// format 1 model's text weights would not match: it must be retrained.
pub const MODEL_FORMAT: u32 = 2;

/// The shipped model, embedded in the binary.
pub const DEFAULT_MODEL: &str = include_str!("../model/default.json");

/// Errors loading or training a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The model file is not valid JSON of the model's shape.
    #[error("cannot read the model `{origin}`: {source}")]
    Parse {
        /// Where the model came from.
        origin: String,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The model file's format is not one this build reads.
    #[error(
        "the model `{origin}` has format {found}; this build reads format {MODEL_FORMAT}: retrain it with `forewarn train`"
    )]
    Format {
        /// Where the model came from.
        origin: String,
        /// The format found.
        found: u32,
    },
    /// Training needs examples of both labels.
    #[error(
        "training needs hostile and benign examples in both splits (train: {train_hostile} hostile, {train_benign} benign; dev: {dev_hostile} hostile, {dev_benign} benign)"
    )]
    Labels {
        /// Hostile examples in the training split.
        train_hostile: usize,
        /// Benign examples in the training split.
        train_benign: usize,
        /// Hostile examples in the dev split.
        dev_hostile: usize,
        /// Benign examples in the dev split.
        dev_benign: usize,
    },
    /// The optimiser failed.
    #[error("the optimiser failed: {0}")]
    Optimiser(String),
}

/// Platt scaling: `p = 1 / (1 + exp(-(slope * z + intercept)))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Multiplies the raw log-odds.
    pub slope: f64,
    /// Added to the scaled log-odds.
    pub intercept: f64,
}

/// Score thresholds of the risk bands.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// A score at or above this is at least medium.
    pub medium: f64,
    /// A score at or above this is high.
    pub high: f64,
}

impl Thresholds {
    /// The band of a calibrated score.
    pub fn band(&self, score: f64) -> Risk {
        if score >= self.high {
            Risk::High
        } else if score >= self.medium {
            Risk::Medium
        } else {
            Risk::Low
        }
    }
}

/// Settings of a training run, recorded in the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSettings {
    /// Seed of the text-feature hash.
    pub seed: u64,
    /// L2 penalty on signal weights.
    pub signal_l2: f64,
    /// L2 penalty on text-feature weights.
    pub text_l2: f64,
    /// Lowest precision of the high band on the dev split.
    pub high_precision: f64,
    /// Highest share of benign dev approaches allowed in the high band.
    pub high_false_positive_rate: f64,
    /// Lowest recall of the medium band (medium or high) on the dev split.
    pub medium_recall: f64,
}

impl Default for TrainingSettings {
    fn default() -> Self {
        TrainingSettings {
            seed: 7,
            signal_l2: 1.0,
            text_l2: 1.0,
            high_precision: 0.9,
            high_false_positive_rate: 0.01,
            medium_recall: 0.95,
        }
    }
}

/// Counts of the corpus a model was trained on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// Hostile approaches in the train split.
    pub train_hostile: usize,
    /// Benign approaches in the train split.
    pub train_benign: usize,
    /// Hostile approaches in the dev split.
    pub dev_hostile: usize,
    /// Benign approaches in the dev split.
    pub dev_benign: usize,
    /// Optimiser iterations.
    pub iterations: u64,
}

/// A trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// File format, [`MODEL_FORMAT`].
    pub format: u32,
    /// How it was trained.
    pub settings: TrainingSettings,
    /// What it was trained on.
    pub summary: TrainingSummary,
    /// Intercept of the raw log-odds.
    pub bias: f64,
    /// Learned weight of each signal id.
    pub signals: BTreeMap<String, f64>,
    /// Signals whose weights do not add up: of those that fire in one
    /// approach, only the one of lowest weight counts (see [`train`]).
    #[serde(default)]
    pub pooled: Vec<String>,
    /// Learned weights of hashed text features, sorted by hash. A text's
    /// features are scaled by `1 / sqrt(number of features)`.
    pub text: Vec<(u64, f64)>,
    /// Calibration of the raw log-odds into a probability.
    pub calibration: Calibration,
    /// Band thresholds on the calibrated score.
    pub thresholds: Thresholds,
}

impl Model {
    /// The shipped model.
    pub fn shipped() -> Result<Model, ModelError> {
        Model::parse(DEFAULT_MODEL, "shipped model")
    }

    /// A model without weights, for reading the features of a corpus to
    /// train on: training needs no earlier model, whatever its format.
    pub fn untrained(settings: TrainingSettings) -> Model {
        Model {
            format: MODEL_FORMAT,
            settings,
            summary: TrainingSummary::default(),
            bias: 0.0,
            signals: BTreeMap::new(),
            pooled: Vec::new(),
            text: Vec::new(),
            calibration: Calibration {
                slope: 1.0,
                intercept: 0.0,
            },
            thresholds: Thresholds {
                medium: 0.5,
                high: 0.5,
            },
        }
    }

    /// Parses a model file.
    pub fn parse(source: &str, origin: &str) -> Result<Model, ModelError> {
        let model: Model = serde_json::from_str(source).map_err(|source| ModelError::Parse {
            origin: origin.to_owned(),
            source,
        })?;
        if model.format != MODEL_FORMAT {
            return Err(ModelError::Format {
                origin: origin.to_owned(),
                found: model.format,
            });
        }
        Ok(model)
    }

    /// The model file's text: deterministic for the same model.
    ///
    /// Pretty-printed, with one text weight per line so that a diff of two
    /// models stays readable.
    pub fn to_json(&self) -> String {
        let head = Model {
            text: Vec::new(),
            ..self.clone()
        };
        let pretty = serde_json::to_string_pretty(&head).unwrap_or_default();
        let weights: Vec<String> = self
            .text
            .iter()
            .map(|(h, w)| {
                format!(
                    "    [{h}, {}]",
                    serde_json::to_string(w).unwrap_or_default()
                )
            })
            .collect();
        let text = if weights.is_empty() {
            "\"text\": []".to_owned()
        } else {
            format!("\"text\": [\n{}\n  ]", weights.join(",\n"))
        };
        let mut s = pretty.replacen("\"text\": []", &text, 1);
        s.push('\n');
        s
    }

    /// Text weights as a lookup table.
    pub fn text_table(&self) -> TextTable {
        TextTable(
            self.text
                .iter()
                .map(|&(feature, weight)| (feature, to_millionths(weight)))
                .collect(),
        )
    }
}

/// A weight in millionths, the precision of a model file. Non-finite or
/// absurd weights saturate.
fn to_millionths(weight: f64) -> i64 {
    // `as` saturates, and maps NaN to 0.
    (weight * 1e6).round() as i64
}

/// Hashed text weights, for lookup while scoring, in millionths: summed as
/// integers, the contribution of a text does not depend on the order its
/// features come in.
#[derive(Debug, Clone, Default)]
pub struct TextTable(HashMap<u64, i64, BuildHasherDefault<FeatureHasher>>);

/// Hashes a text feature for the table: a feature already is a 64-bit
/// hash, so it is used as it is instead of being hashed again.
#[derive(Debug, Default)]
pub struct FeatureHasher(u64);

impl Hasher for FeatureHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys reach this hasher; fold anything else in.
        for b in bytes {
            self.0 = (self.0.rotate_left(8)) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, feature: u64) {
        self.0 = feature;
    }
}

impl TextTable {
    /// The raw log-odds contribution of a text's features, given each
    /// once (in any order).
    pub fn contribution(&self, features: &[u64]) -> f64 {
        if features.is_empty() {
            return 0.0;
        }
        let millionths: i128 = features
            .iter()
            .filter_map(|h| self.0.get(h))
            .map(|&w| i128::from(w))
            .sum();
        millionths as f64 / 1e6 / (features.len() as f64).sqrt()
    }
}

/// The logistic function.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// One training example: the signal ids that fired, its text features and
/// its label.
#[derive(Debug, Clone)]
pub struct Example {
    /// Ids of the signals that fired.
    pub signals: Vec<String>,
    /// Hashed text features, sorted, without repeats.
    pub text: Vec<u64>,
    /// Whether it is hostile.
    pub hostile: bool,
}

/// A sparse row of the design matrix: column and value.
type Row = Vec<(usize, f64)>;

/// Weighted, L2-penalised logistic loss over sparse rows, with target
/// probabilities (1 and 0, or smoothed targets for calibration).
struct Logistic<'a> {
    rows: &'a [Row],
    /// For each row, its pooled columns (value 1), of which only the one of
    /// lowest weight counts; empty when none is pooled.
    pooled: &'a [Vec<usize>],
    targets: &'a [f64],
    weights: &'a [f64],
    penalty: &'a [f64],
}

impl Logistic<'_> {
    fn margins<'w>(&'w self, w: &'w [f64]) -> impl Iterator<Item = f64> + 'w {
        self.rows.iter().enumerate().map(move |(i, row)| {
            row.iter().map(|(c, v)| w[*c] * v).sum::<f64>()
                + self.pooled_column(i, w).map_or(0.0, |c| w[c])
        })
    }

    /// The pooled column of row `i` that counts: the one of lowest weight,
    /// the first of them on a tie.
    fn pooled_column(&self, i: usize, w: &[f64]) -> Option<usize> {
        lowest(self.pooled.get(i)?.iter().copied(), |c| w[*c])
    }
}

/// The item of lowest weight, the first of them on a tie.
pub(crate) fn lowest<T>(items: impl Iterator<Item = T>, weight: impl Fn(&T) -> f64) -> Option<T> {
    items
        .fold(None, |best: Option<(T, f64)>, item| {
            let w = weight(&item);
            match best {
                Some((_, lowest)) if lowest <= w => best,
                _ => Some((item, w)),
            }
        })
        .map(|(item, _)| item)
}

/// `log(1 + exp(x))` without overflow.
fn softplus(x: f64) -> f64 {
    if x > 30.0 { x } else { x.exp().ln_1p() }
}

impl CostFunction for Logistic<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, w: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        let loss: f64 = self
            .margins(w)
            .zip(self.targets)
            .zip(self.weights)
            .map(|((z, t), k)| k * (t * softplus(-z) + (1.0 - t) * softplus(z)))
            .sum();
        let reg: f64 = w
            .iter()
            .zip(self.penalty)
            .map(|(w, l)| 0.5 * l * w * w)
            .sum();
        Ok(loss + reg)
    }
}

impl Gradient for Logistic<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, w: &Vec<f64>) -> Result<Vec<f64>, argmin::core::Error> {
        let mut g: Vec<f64> = w.iter().zip(self.penalty).map(|(w, l)| l * w).collect();
        for (i, ((row, z), (t, k))) in self
            .rows
            .iter()
            .zip(self.margins(w))
            .zip(self.targets.iter().zip(self.weights))
            .enumerate()
        {
            let d = k * (sigmoid(z) - t);
            for (c, v) in row {
                g[*c] += d * v;
            }
            if let Some(c) = self.pooled_column(i, w) {
                g[c] += d;
            }
        }
        Ok(g)
    }
}

/// Minimises a logistic loss with L-BFGS; returns the weights and the
/// number of iterations.
fn fit(
    problem: Logistic<'_>,
    columns: usize,
    max_iters: u64,
) -> Result<(Vec<f64>, u64), ModelError> {
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(1e-7)
        .and_then(|s| s.with_tolerance_cost(1e-12))
        .map_err(|e| ModelError::Optimiser(e.to_string()))?;
    let result = Executor::new(problem, solver)
        .configure(|state| state.param(vec![0.0; columns]).max_iters(max_iters))
        .run()
        .map_err(|e| ModelError::Optimiser(e.to_string()))?;
    let state = result.state();
    let iterations = state.get_iter();
    let best = state
        .get_best_param()
        .cloned()
        .ok_or_else(|| ModelError::Optimiser("no solution".to_owned()))?;
    Ok((best, iterations))
}

/// Trains a model: logistic regression on `train`, Platt scaling and band
/// thresholds on `dev`. `signal_ids` lists every signal the engine can
/// report, in a fixed order.
///
/// The signals in `pooled` (context that makes an approach ordinary) do not
/// add up: of those that fire in one approach, only the one of lowest weight
/// counts, in training as in scoring. Each sentence of reassurance a sender
/// pastes in would otherwise lower the score again; pooled, a message full
/// of them counts no more than its strongest. The loss is then no longer
/// convex in the pooled weights, but it is piecewise smooth, and L-BFGS from
/// zero weights reaches the same weights on every run.
pub fn train(
    signal_ids: &[String],
    pooled: &[String],
    train: &[Example],
    dev: &[Example],
    settings: &TrainingSettings,
) -> Result<Model, ModelError> {
    let count =
        |set: &[Example], hostile: bool| set.iter().filter(|e| e.hostile == hostile).count();
    let summary = TrainingSummary {
        train_hostile: count(train, true),
        train_benign: count(train, false),
        dev_hostile: count(dev, true),
        dev_benign: count(dev, false),
        iterations: 0,
    };
    if summary.train_hostile == 0
        || summary.train_benign == 0
        || summary.dev_hostile == 0
        || summary.dev_benign == 0
    {
        return Err(ModelError::Labels {
            train_hostile: summary.train_hostile,
            train_benign: summary.train_benign,
            dev_hostile: summary.dev_hostile,
            dev_benign: summary.dev_benign,
        });
    }

    // Columns: bias, signals, text hashes seen in training.
    let signal_column: HashMap<&str, usize> = signal_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), 1 + i))
        .collect();
    let mut vocabulary: Vec<u64> = train.iter().flat_map(|e| e.text.iter().copied()).collect();
    vocabulary.sort_unstable();
    vocabulary.dedup();
    let text_base = 1 + signal_ids.len();
    let columns = text_base + vocabulary.len();
    let is_pooled = |id: &str| pooled.iter().any(|p| p == id);
    let columns_of = |e: &Example, want_pooled: bool| -> Vec<usize> {
        let mut columns: Vec<usize> = e
            .signals
            .iter()
            .filter(|id| is_pooled(id) == want_pooled)
            .filter_map(|id| signal_column.get(id.as_str()).copied())
            .collect();
        columns.sort_unstable();
        columns.dedup();
        columns
    };
    let to_row = |e: &Example| -> Row {
        let mut row = vec![(0, 1.0)];
        row.extend(columns_of(e, false).into_iter().map(|c| (c, 1.0)));
        if !e.text.is_empty() {
            let scale = 1.0 / (e.text.len() as f64).sqrt();
            row.extend(
                e.text
                    .iter()
                    .filter_map(|h| vocabulary.binary_search(h).ok())
                    .map(|i| (text_base + i, scale)),
            );
        }
        row
    };
    let rows: Vec<Row> = train.iter().map(to_row).collect();
    let pooled_rows: Vec<Vec<usize>> = train.iter().map(|e| columns_of(e, true)).collect();
    let targets: Vec<f64> = train
        .iter()
        .map(|e| if e.hostile { 1.0 } else { 0.0 })
        .collect();
    // Balance the classes.
    let n = train.len() as f64;
    let (wh, wb) = (
        n / (2.0 * summary.train_hostile as f64),
        n / (2.0 * summary.train_benign as f64),
    );
    let weights: Vec<f64> = train
        .iter()
        .map(|e| if e.hostile { wh } else { wb })
        .collect();
    let mut penalty = vec![0.0; columns];
    for p in &mut penalty[1..text_base] {
        *p = settings.signal_l2;
    }
    for p in &mut penalty[text_base..] {
        *p = settings.text_l2;
    }
    let (w, iterations) = fit(
        Logistic {
            rows: &rows,
            pooled: &pooled_rows,
            targets: &targets,
            weights: &weights,
            penalty: &penalty,
        },
        columns,
        1000,
    )?;

    let round = |x: f64| (x * 1e6).round() / 1e6;
    let signals: BTreeMap<String, f64> = signal_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), round(w[1 + i])))
        .filter(|(_, w)| *w != 0.0)
        .collect();
    let text: Vec<(u64, f64)> = vocabulary
        .iter()
        .enumerate()
        .map(|(i, h)| (*h, round(w[text_base + i])))
        .filter(|(_, w)| w.abs() >= 1e-4)
        .collect();
    let mut model = Model {
        format: MODEL_FORMAT,
        settings: settings.clone(),
        summary: TrainingSummary {
            iterations,
            ..summary
        },
        bias: round(w[0]),
        signals,
        pooled: signal_ids
            .iter()
            .filter(|id| is_pooled(id))
            .cloned()
            .collect(),
        text,
        calibration: Calibration {
            slope: 1.0,
            intercept: 0.0,
        },
        thresholds: Thresholds {
            medium: 0.5,
            high: 0.9,
        },
    };

    // Platt scaling on the dev split's raw log-odds, with Platt's smoothed
    // targets so that a separable dev split cannot make scores extreme.
    let table = model.text_table();
    let raw: Vec<f64> = dev
        .iter()
        .map(|e| model.raw_score(&e.signals, &e.text, &table))
        .collect();
    let dev_rows: Vec<Row> = raw.iter().map(|z| vec![(0, 1.0), (1, *z)]).collect();
    let (positive, negative) = (summary.dev_hostile as f64, summary.dev_benign as f64);
    let dev_targets: Vec<f64> = dev
        .iter()
        .map(|e| {
            if e.hostile {
                (positive + 1.0) / (positive + 2.0)
            } else {
                1.0 / (negative + 2.0)
            }
        })
        .collect();
    let dev_weights = vec![1.0; dev.len()];
    let (ab, _) = fit(
        Logistic {
            rows: &dev_rows,
            pooled: &[],
            targets: &dev_targets,
            weights: &dev_weights,
            penalty: &[1e-3, 1e-3],
        },
        2,
        200,
    )?;
    model.calibration = Calibration {
        slope: round(ab[1]),
        intercept: round(ab[0]),
    };
    let scores: Vec<(f64, bool)> = raw
        .iter()
        .zip(dev)
        .map(|(z, e)| (model.calibrate(*z), e.hostile))
        .collect();
    model.thresholds = choose_thresholds(&scores, settings);
    Ok(model)
}

impl Model {
    /// Whether the signal `id` is pooled: of the pooled signals that fire
    /// in one approach, only the one of lowest weight counts.
    pub fn pools(&self, id: &str) -> bool {
        self.pooled.iter().any(|p| p == id)
    }

    /// Raw log-odds from signal ids and text features.
    pub fn raw_score(&self, signals: &[String], text: &[u64], table: &TextTable) -> f64 {
        let mut seen: Vec<&str> = signals.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        let is_pooled = |id: &&str| self.pools(id);
        let weight = |id: &&str| self.signals.get(*id).copied().unwrap_or(0.0);
        self.bias
            + seen
                .iter()
                .filter(|id| !is_pooled(id))
                .map(weight)
                .sum::<f64>()
            + lowest(seen.iter().copied().filter(is_pooled), weight).map_or(0.0, |id| weight(&id))
            + table.contribution(text)
    }

    /// The calibrated probability of raw log-odds.
    pub fn calibrate(&self, raw: f64) -> f64 {
        sigmoid(self.calibration.slope * raw + self.calibration.intercept)
    }
}

/// Picks band thresholds on calibrated dev scores: high is the lowest
/// threshold whose precision reaches `high_precision` while letting at most
/// `high_false_positive_rate` of benign approaches in; medium is the highest
/// threshold whose recall reaches `medium_recall`. Each threshold sits half
/// way to the next lower score, and medium never exceeds high.
pub fn choose_thresholds(scores: &[(f64, bool)], settings: &TrainingSettings) -> Thresholds {
    let mut sorted: Vec<(f64, bool)> = scores.to_vec();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let hostile = sorted.iter().filter(|s| s.1).count().max(1) as f64;
    let benign = sorted.iter().filter(|s| !s.1).count().max(1) as f64;
    // Half way, in log-odds, between a score and the next lower one.
    let logit = |p: f64| (p.clamp(1e-9, 1.0 - 1e-9) / (1.0 - p.clamp(1e-9, 1.0 - 1e-9))).ln();
    let below = |i: usize| -> f64 {
        let here = sorted[i].0;
        match sorted.get(i + 1) {
            Some(next) => sigmoid((logit(here) + logit(next.0)) / 2.0),
            None => here,
        }
    };
    let mut high = 1.0;
    let mut medium = None;
    let (mut tp, mut fp) = (0.0, 0.0);
    for i in 0..sorted.len() {
        if sorted[i].1 {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        // Only cut between distinct scores.
        if sorted.get(i + 1).is_some_and(|n| n.0 == sorted[i].0) {
            continue;
        }
        let precision = tp / (tp + fp);
        if precision >= settings.high_precision && fp / benign <= settings.high_false_positive_rate
        {
            high = below(i);
        }
        if medium.is_none() && tp / hostile >= settings.medium_recall {
            medium = Some(below(i));
        }
    }
    let round = |x: f64| (x * 1e4).round() / 1e4;
    let high = round(high);
    let medium = round(medium.unwrap_or(0.5)).min(high);
    Thresholds { medium, high }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_of_another_format_is_refused() {
        let mut old = Model::untrained(TrainingSettings::default());
        old.format = MODEL_FORMAT - 1;
        let err = Model::parse(&old.to_json(), "old.json").unwrap_err();
        assert!(
            err.to_string().contains(&format!(
                "has format {}; this build reads format {MODEL_FORMAT}",
                MODEL_FORMAT - 1
            )),
            "{err}"
        );
        assert!(
            err.to_string().contains("retrain it with `forewarn train`"),
            "{err}"
        );
        let current = Model::untrained(TrainingSettings::default());
        assert_eq!(
            Model::parse(&current.to_json(), "new.json").unwrap(),
            current
        );
    }

    fn example(signals: &[&str], hostile: bool) -> Example {
        Example {
            signals: signals.iter().map(|s| s.to_string()).collect(),
            text: Vec::new(),
            hostile,
        }
    }

    #[test]
    fn training_learns_and_is_deterministic() {
        let ids: Vec<String> = ["FW-A", "FW-B", "FW-C"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut train_set = Vec::new();
        for i in 0..40 {
            train_set.push(example(&["FW-A"], i % 5 != 0));
            train_set.push(example(&["FW-B"], i % 7 == 0));
        }
        let dev = train_set.clone();
        let settings = TrainingSettings::default();
        let a = train(&ids, &[], &train_set, &dev, &settings).unwrap();
        let b = train(&ids, &[], &train_set, &dev, &settings).unwrap();
        assert_eq!(a.to_json(), b.to_json());
        assert!(a.signals["FW-A"] > a.signals["FW-B"]);
        let table = a.text_table();
        let p = a.calibrate(a.raw_score(&["FW-A".into()], &[], &table));
        assert!(p > 0.6 && p < 0.95, "{p}");
        assert!(Model::parse(&a.to_json(), "x").is_ok());
    }

    #[test]
    fn pooled_signals_count_by_the_lowest_weight_in_training_and_scoring() {
        let ids: Vec<String> = ["FW-A", "FW-C1", "FW-C2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let pooled = vec!["FW-C1".to_string(), "FW-C2".to_string()];
        let mut train_set = Vec::new();
        for i in 0..40 {
            train_set.push(example(&["FW-A"], i % 5 != 0));
            train_set.push(example(&["FW-C1"], i % 9 == 0));
            train_set.push(example(&["FW-C2"], i % 4 == 0));
            // Both together are no more ordinary than the stronger alone.
            train_set.push(example(&["FW-A", "FW-C1", "FW-C2"], i % 3 == 0));
        }
        let settings = TrainingSettings::default();
        let a = train(&ids, &pooled, &train_set, &train_set, &settings).unwrap();
        let b = train(&ids, &pooled, &train_set, &train_set, &settings).unwrap();
        assert_eq!(a.to_json(), b.to_json());
        assert_eq!(a.pooled, pooled);
        let (c1, c2) = (a.signals["FW-C1"], a.signals["FW-C2"]);
        assert!(c1 < 0.0 && c2 < 0.0 && c1 < c2, "{c1} {c2}");
        let table = a.text_table();
        let score = |signals: &[&str]| {
            let signals: Vec<String> = signals.iter().map(|s| s.to_string()).collect();
            a.raw_score(&signals, &[], &table)
        };
        let both = score(&["FW-A", "FW-C2", "FW-C1"]);
        assert!((both - score(&["FW-A", "FW-C1"])).abs() < 1e-12);
        assert!((both - (a.bias + a.signals["FW-A"] + c1)).abs() < 1e-12);
        // A model without pooled signals adds every weight up.
        let mut summed = a.clone();
        summed.pooled.clear();
        assert!(
            (summed.raw_score(&["FW-C1".into(), "FW-C2".into()], &[], &table)
                - (summed.bias + c1 + c2))
                .abs()
                < 1e-12
        );
    }

    #[test]
    fn lowest_takes_the_first_of_equal_weights() {
        let items = [("a", 1.0), ("b", -2.0), ("c", -2.0), ("d", 0.0)];
        assert_eq!(lowest(items.iter(), |i| i.1).map(|i| i.0), Some("b"));
        assert_eq!(lowest(std::iter::empty::<f64>(), |w| *w), None);
    }

    #[test]
    fn a_model_without_pooled_signals_still_reads() {
        let mut json: serde_json::Value =
            serde_json::from_str(&Model::untrained(TrainingSettings::default()).to_json()).unwrap();
        json.as_object_mut().unwrap().remove("pooled");
        let model = Model::parse(&json.to_string(), "older.json").unwrap();
        assert!(model.pooled.is_empty());
    }

    #[test]
    fn the_text_table_sums_the_weights_of_known_features() {
        let table = TextTable(
            [(7_u64, 1.0), (u64::MAX, 2.0), (1 << 40, -0.5)]
                .into_iter()
                .map(|(f, w)| (f, to_millionths(w)))
                .collect(),
        );
        let known = [7, 1 << 40, u64::MAX];
        assert!((table.contribution(&known) - 2.5 / 3f64.sqrt()).abs() < 1e-12);
        // Unknown features count in the length, not the sum.
        assert!((table.contribution(&[7, 8]) - 1.0 / 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(table.contribution(&[]), 0.0);
    }

    #[test]
    fn the_text_contribution_does_not_depend_on_order() {
        // Float sums of these would depend on the order of addition.
        let weights = [0.1, 1e-6, 0.7, -0.3, 0.2, 12.345678, -1e-6];
        let table = TextTable(
            weights
                .iter()
                .enumerate()
                .map(|(i, w)| (i as u64, to_millionths(*w)))
                .collect(),
        );
        let forward: Vec<u64> = (0..weights.len() as u64).collect();
        let backward: Vec<u64> = forward.iter().rev().copied().collect();
        assert_eq!(
            table.contribution(&forward).to_bits(),
            table.contribution(&backward).to_bits()
        );
        assert_eq!(to_millionths(f64::NAN), 0);
        assert_eq!(to_millionths(f64::INFINITY), i64::MAX);
    }

    #[test]
    fn thresholds_follow_precision_and_recall() {
        let scores: Vec<(f64, bool)> = (0..100)
            .map(|i| (i as f64 / 100.0, i >= 50 || i % 10 == 0))
            .collect();
        let t = choose_thresholds(&scores, &TrainingSettings::default());
        assert!(t.medium <= t.high);
        let high_fp = scores.iter().filter(|s| s.0 >= t.high && !s.1).count();
        assert_eq!(high_fp, 0);
        let recall = scores.iter().filter(|s| s.0 >= t.medium && s.1).count() as f64
            / scores.iter().filter(|s| s.1).count() as f64;
        assert!(recall >= 0.95, "{recall}");
    }

    #[test]
    fn too_few_labels_is_an_error() {
        let ids = vec!["FW-A".to_string()];
        let only_hostile = vec![example(&["FW-A"], true)];
        assert!(matches!(
            train(
                &ids,
                &[],
                &only_hostile,
                &only_hostile,
                &TrainingSettings::default()
            ),
            Err(ModelError::Labels { .. })
        ));
    }
}
