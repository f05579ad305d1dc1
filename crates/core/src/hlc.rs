//! Hybrid logical clock. Stamps stay monotonic on one device even when its
//! wall clock jumps backwards, and move past any stamp the device has seen,
//! so "later" in the log roughly means later in the world without trusting
//! any single clock. The wall clock is always passed in as data: the core
//! never reads it.

use serde::{Deserialize, Serialize};

/// A stamp: physical milliseconds since the Unix epoch plus a logical counter
/// that orders events inside the same millisecond. Ties between devices are
/// broken by the op id where needed, so the stamp itself carries no device.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch (UTC).
    pub ms: u64,
    /// Logical counter within `ms`.
    pub c: u32,
}

impl Hlc {
    /// A stamp at a given physical time, counter zero.
    pub const fn at(ms: u64) -> Self {
        Self { ms, c: 0 }
    }

    /// The next stamp after this one (counter overflow moves to the next millisecond).
    fn bump(self) -> Self {
        match self.c.checked_add(1) {
            Some(c) => Self { ms: self.ms, c },
            None => Self {
                ms: self.ms.saturating_add(1),
                c: 0,
            },
        }
    }
}

/// One device's clock state. Keep it with the device's persisted metadata so
/// stamps stay monotonic across restarts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    last: Hlc,
}

impl Clock {
    /// A clock that has issued nothing yet.
    pub const fn new() -> Self {
        Self {
            last: Hlc { ms: 0, c: 0 },
        }
    }

    /// Resume from the last stamp this device issued or observed.
    pub const fn resume(last: Hlc) -> Self {
        Self { last }
    }

    /// The latest stamp issued or observed.
    pub const fn last(&self) -> Hlc {
        self.last
    }

    /// Stamp a local event. Strictly greater than every earlier result of
    /// `tick` and `observe`, whatever `now_ms` says.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        self.last = if now_ms > self.last.ms {
            Hlc::at(now_ms)
        } else {
            self.last.bump()
        };
        self.last
    }

    /// Merge a stamp received from elsewhere (e.g. every op of a pulled log),
    /// so the next local stamp orders after it. Returns the new clock value.
    pub fn observe(&mut self, remote: Hlc, now_ms: u64) -> Hlc {
        let top = self.last.max(remote);
        self.last = if now_ms > top.ms {
            Hlc::at(now_ms)
        } else {
            top.bump()
        };
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_follows_wall_clock_when_it_advances() {
        let mut c = Clock::new();
        assert_eq!(c.tick(1000), Hlc { ms: 1000, c: 0 });
        assert_eq!(c.tick(2000), Hlc { ms: 2000, c: 0 });
    }

    #[test]
    fn tick_is_monotonic_when_wall_clock_goes_back() {
        let mut c = Clock::new();
        let a = c.tick(5000);
        let b = c.tick(4000);
        let d = c.tick(5000);
        assert!(a < b && b < d);
        assert_eq!(b, Hlc { ms: 5000, c: 1 });
    }

    #[test]
    fn observe_moves_past_remote_stamps_from_the_future() {
        let mut c = Clock::new();
        c.tick(1000);
        let r = Hlc { ms: 9000, c: 7 };
        let o = c.observe(r, 1000);
        assert!(o > r);
        assert!(c.tick(1001) > o);
    }

    #[test]
    fn counter_overflow_moves_to_next_millisecond() {
        let mut c = Clock::resume(Hlc {
            ms: 10,
            c: u32::MAX,
        });
        assert_eq!(c.tick(0), Hlc { ms: 11, c: 0 });
    }

    #[test]
    fn random_walks_stay_strictly_increasing() {
        // Deterministic pseudo-random skewed clocks, ticks and observes mixed.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut a = Clock::new();
        let mut b = Clock::new();
        let mut prev_a = Hlc::default();
        for _ in 0..10_000 {
            let now = 1_000_000 + next() % 5000; // jittery wall clock
            let s = if next() % 3 == 0 {
                let r = b.tick(now + next() % 100_000);
                a.observe(r, now)
            } else {
                a.tick(now)
            };
            assert!(s > prev_a);
            prev_a = s;
        }
    }
}
