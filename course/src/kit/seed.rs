//! Random inputs from one seed per run, so that a failure can be replayed:
//! the report prints the seed, and `COURSE_SEED=N` runs the same inputs
//! again.
//!
//! ```
//! use course::kit::seed;
//!
//! let word = ["Balloon", "Teapot"][(seed::random_number() % 2) as usize];
//! assert!(!word.is_empty());
//! assert_eq!(seed::seed(), seed::seed()); // one seed per run
//! ```

use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use http_server::testkit::SplitMix64;

/// The run's seed: `COURSE_SEED` if set, otherwise a fresh random one
/// (the standard library seeds its hash maps at random, which is all the
/// randomness a check needs).
pub fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| {
        std::env::var("COURSE_SEED")
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or_else(|| RandomState::new().hash_one(SystemTime::now()) % 1_000_000)
    })
}

/// The next random number of the run.
pub fn random_number() -> u64 {
    static RANDOM: Mutex<Option<SplitMix64>> = Mutex::new(None);
    let mut random = RANDOM
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    random
        .get_or_insert_with(|| SplitMix64::new(seed()))
        .next_u64()
}

/// The line a failure report ends with, to replay the same inputs.
pub fn replay_line() -> String {
    format!(
        "Random inputs came from seed {0}: COURSE_SEED={0} repeats them",
        seed()
    )
}

/// `count` different items of `list` (all of them if it has fewer),
/// picked at random in the run's seeded order.
///
/// ```
/// use course::kit::seed::random_distinct;
///
/// let words = random_distinct(&["Balloon", "Teapot", "Walrus"], 2);
/// assert!(words.len() == 2 && words[0] != words[1]);
/// ```
pub fn random_distinct<T: PartialEq + Copy>(list: &[T], count: usize) -> Vec<T> {
    let mut picked = Vec::with_capacity(count);
    while picked.len() < count.min(list.len()) {
        let item = list[(random_number() % list.len() as u64) as usize];
        if !picked.contains(&item) {
            picked.push(item);
        }
    }
    picked
}
