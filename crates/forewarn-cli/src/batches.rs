//! Approaches read in batches, for [`forewarn_core::Engine::analyse_batch`].

use std::iter::Peekable;

use forewarn_ingest::{InputError, Read1};

/// Most approaches in a batch: enough for the rules' automata and regexes
/// to stay in the processor's caches from one approach to the next, few
/// enough for the batch to stay there too. On generated approaches,
/// `check --json` ran about as fast with batches of 8 to 128, and slower
/// with 256.
pub const MAX_APPROACHES: usize = 64;

/// A batch ends once its approaches, as read, pass this many bytes: a batch
/// of long approaches holds few. A batch thus holds at most this much and
/// one more approach (itself within the reader's limit).
const MAX_BATCH_BYTES: usize = 1 << 20;

/// Groups what an approach reader yields into batches. A bad input ends
/// the batch before it and comes next, alone: everything read before it is
/// judged before it is reported, as when approaches are judged one by one.
pub fn batches<I>(items: I) -> Batches<I>
where
    I: Iterator<Item = Result<Read1, InputError>>,
{
    Batches {
        items: items.peekable(),
    }
}

/// See [`batches`].
pub struct Batches<I: Iterator> {
    items: Peekable<I>,
}

impl<I> Iterator for Batches<I>
where
    I: Iterator<Item = Result<Read1, InputError>>,
{
    type Item = Result<Vec<Read1>, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut batch = Vec::new();
        let mut bytes = 0;
        while batch.len() < MAX_APPROACHES && bytes < MAX_BATCH_BYTES {
            let Some(Ok(read)) = self.items.next_if(Result::is_ok) else {
                break;
            };
            bytes += read.bytes;
            batch.push(read);
        }
        if batch.is_empty() {
            // The end, or a bad input.
            self.items.next().map(|item| item.map(|read| vec![read]))
        } else {
            Some(Ok(batch))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use forewarn_ingest::Location;

    fn read(line: usize, bytes: usize) -> Result<Read1, InputError> {
        Ok(Read1 {
            location: Location {
                source: "t.jsonl".into(),
                line: Some(line),
            },
            bytes,
            approach: forewarn_core::Approach::default(),
        })
    }

    fn lines(batch: &Result<Vec<Read1>, InputError>) -> Vec<usize> {
        match batch {
            Ok(reads) => reads.iter().filter_map(|r| r.location.line).collect(),
            Err(e) => vec![1_000_000 + e.location.line.unwrap_or(0)],
        }
    }

    #[test]
    fn batches_hold_at_most_their_count_in_order() {
        let items = (1..=150).map(|line| read(line, 10));
        let sizes: Vec<Vec<usize>> = batches(items).map(|b| lines(&b)).collect();
        assert_eq!(sizes.len(), 3);
        assert_eq!(sizes[0], (1..=64).collect::<Vec<_>>());
        assert_eq!(sizes[2], (129..=150).collect::<Vec<_>>());
    }

    #[test]
    fn a_bad_input_ends_the_batch_and_comes_alone() {
        let bad = || {
            Err(InputError {
                location: Location {
                    source: "t.jsonl".into(),
                    line: Some(3),
                },
                kind: forewarn_ingest::InputErrorKind::Missing("sender.name".into()),
            })
        };
        let items = vec![read(1, 10), read(2, 10), bad(), bad(), read(5, 10)];
        let got: Vec<Vec<usize>> = batches(items.into_iter()).map(|b| lines(&b)).collect();
        assert_eq!(
            got,
            vec![vec![1, 2], vec![1_000_003], vec![1_000_003], vec![5]]
        );
    }

    #[test]
    fn long_approaches_make_small_batches() {
        let items = (1..=4).map(|line| read(line, MAX_BATCH_BYTES / 2));
        let got: Vec<Vec<usize>> = batches(items).map(|b| lines(&b)).collect();
        assert_eq!(got, vec![vec![1, 2], vec![3, 4]]);
        // An approach over the bound comes after a short one, then alone.
        let items = [read(1, 10), read(2, 3 * MAX_BATCH_BYTES), read(3, 10)];
        let got: Vec<Vec<usize>> = batches(items.into_iter()).map(|b| lines(&b)).collect();
        assert_eq!(got, vec![vec![1, 2], vec![3]]);
    }
}
