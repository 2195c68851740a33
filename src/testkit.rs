//! Helpers for the course's own tests and checks, not for lessons: a seeded
//! random number generator. It lives here, once, so that the fuzzer, the
//! names service, the tests and the course's checker share it. Hidden from the documentation: a lesson never needs them.

/// A small, fast, deterministic random number generator (SplitMix64): the
/// same seed gives the same numbers, on every machine, so a failure can be
/// replayed from the seed it prints. Never for secrets.
///
/// ```
/// use http_server::testkit::SplitMix64;
///
/// let mut first = SplitMix64::new(7);
/// let mut again = SplitMix64::new(7);
/// assert_eq!(first.next_u64(), again.next_u64());
/// assert!(first.below(10) < 10);
/// assert!(["a", "b"].contains(first.pick(&["a", "b"])));
/// ```
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator that starts from `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number from 0 to `limit - 1` (0 if `limit` is 0).
    pub fn below(&mut self, limit: u64) -> u64 {
        self.next_u64() % limit.max(1)
    }

    /// One of `items`, which must not be empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}
