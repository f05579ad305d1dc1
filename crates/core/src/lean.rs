//! Small-code versions of std helpers for the browser's wasm, where every
//! monomorphised copy is downloaded: one stable sort for every element type,
//! and fixed-point decimals without core's float formatter. Results equal
//! std's (`sort_by`, `format!("{:.N}")`); the tests below pin that.
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// A stable sort, as `v.sort_by(cmp)`. It sorts positions, so std's sort is
/// compiled once (for `usize`) instead of once per element type and order
/// (≈ 3.5 KB of wasm each), then moves the elements into place.
pub fn sort_stable<T>(v: &mut [T], cmp: &dyn Fn(&T, &T) -> Ordering) {
    let mut order: Vec<usize> = (0..v.len()).collect();
    sort_positions(&mut order, &|a, b| cmp(&v[a], &v[b]));
    // Position i takes the element at order[i]: follow each cycle once.
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start || from == at {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[inline(never)]
fn sort_positions(order: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

/// As `v.sort_by_key(key)` (stable; the key is computed per comparison).
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_stable(v, &|a, b| key(a).cmp(&key(b)));
}

/// As `v.sort()` (stable).
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_stable(v, &T::cmp);
}

/// As `iter.collect::<BTreeSet<_>>()`, which sorts a vector first (one
/// copy of the sort per element type); inserting one by one gives the same set.
pub fn set<T: Ord>(iter: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    set.extend(iter);
    set
}

/// As `iter.collect::<BTreeMap<_, _>>()` (a later value for a key wins).
pub fn map<K: Ord, V>(iter: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(iter);
    map
}

/// `x` with `decimals` digits after the point, exactly as
/// `format!("{x:.decimals$}")`: the binary value rounded half to even.
/// For |x| < 2^63 and up to 4 decimals (what pages show); NaN and the
/// infinities print as std prints them.
pub fn fixed(x: f64, decimals: u32) -> String {
    debug_assert!(decimals <= 4);
    if x.is_nan() {
        return "NaN".to_owned();
    }
    let mut out = String::new();
    if x.is_sign_negative() {
        out.push('-');
    }
    if x.is_infinite() {
        out.push_str("inf");
        return out;
    }
    let scaled = scaled_round(x.abs(), decimals);
    let pow = 10u128.pow(decimals);
    push_digits(&mut out, scaled / pow, 1);
    if decimals > 0 {
        out.push('.');
        push_digits(&mut out, scaled % pow, decimals as usize);
    }
    out
}

/// round_half_even(x · 10^decimals) of the exact binary value of x ≥ 0.
fn scaled_round(x: f64, decimals: u32) -> u128 {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = u128::from(bits & ((1 << 52) - 1));
    // x = mant · 2^e
    let (mant, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | 1 << 52, exp - 1075)
    };
    let scaled = mant * 10u128.pow(decimals);
    if e >= 0 {
        // Saturates far outside the domain (|x| ≥ 2^63) instead of wrapping.
        return scaled.checked_shl(e as u32).unwrap_or(u128::MAX);
    }
    let shift = -e as u32;
    if shift >= 127 {
        // scaled < 2^67: far below one half.
        return 0;
    }
    let q = scaled >> shift;
    let rest = scaled & ((1 << shift) - 1);
    let half = 1u128 << (shift - 1);
    if rest > half || (rest == half && q % 2 == 1) {
        q + 1
    } else {
        q
    }
}

/// Decimal digits of `n`, at least `width` of them (zero-padded).
fn push_digits(out: &mut String, mut n: u128, width: usize) {
    let mut digits = Vec::new();
    while n > 0 || digits.len() < width {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
    }
    out.extend(digits.iter().rev().map(|&d| char::from(d)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(x: f64) {
        for d in 0..=4 {
            assert_eq!(fixed(x, d), format!("{x:.*}", d as usize), "{x:e} with {d}");
        }
    }

    #[test]
    fn ties_round_to_even_like_std() {
        for x in [
            0.0, -0.0, 0.5, 1.5, 2.5, 3.5, 0.25, 0.75, 0.125, 0.375, 0.0625, 0.05, 0.15, 0.35,
            0.45, 1e-5, 5e-5, 0.00005, 0.99995, 9.5, 99.5, 1023.5, -0.4, -2.5,
        ] {
            check(x);
        }
        assert_eq!(fixed(0.25, 1), "0.2");
        assert_eq!(fixed(0.75, 1), "0.8");
        assert_eq!(fixed(2.5, 0), "2");
        assert_eq!(fixed(f64::NAN, 1), format!("{:.1}", f64::NAN));
        assert_eq!(fixed(f64::INFINITY, 1), format!("{:.1}", f64::INFINITY));
        assert_eq!(
            fixed(f64::NEG_INFINITY, 0),
            format!("{:.0}", f64::NEG_INFINITY)
        );
    }

    #[test]
    fn what_pages_format_equals_std() {
        // Hours served (minutes / 60), rates in percent and as fractions.
        for m in 0..200_000u32 {
            let h = f64::from(m) / 60.0;
            assert_eq!(fixed(h, 1), format!("{h:.1}"), "{m} min");
        }
        for d in 1..=400u32 {
            for n in 0..=d {
                let r = f64::from(n) / f64::from(d);
                assert_eq!(fixed(r * 100.0, 0), format!("{:.0}", r * 100.0), "{n}/{d}");
                assert_eq!(fixed(r, 4), format!("{r:.4}"), "{n}/{d}");
            }
        }
        // Storage sizes: bytes / 1024^k.
        for b in (0..5_000_000_000u64).step_by(999_983) {
            for div in [1024.0, 1024.0 * 1024.0, 1024.0 * 1024.0 * 1024.0] {
                check(b as f64 / div);
            }
        }
        // Milliseconds to hours, as the CSV has them.
        for ms in (0..1_000_000_000u64).step_by(1_799_999) {
            let h = ms as f64 / 3_600_000.0;
            assert_eq!(fixed(h, 1), format!("{h:.1}"));
        }
    }

    #[test]
    fn random_values_equal_std() {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Exponents from 2^-40 to 2^45, any mantissa.
            let exp = 983 + (s >> 57) % 86;
            let x = f64::from_bits((exp << 52) | (s & ((1 << 52) - 1)));
            check(x);
            check(-x);
        }
        for bits in [1u64, 2, 0x000f_ffff_ffff_ffff, 0x0010_0000_0000_0000] {
            check(f64::from_bits(bits));
        }
    }

    #[test]
    fn sorts_equal_std() {
        let mut s = 7u64;
        for len in 0..200usize {
            let v: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
                    ((s >> 60) as u8, i)
                })
                .collect();
            let mut ours = v.clone();
            sort_stable(&mut ours, &|a, b| b.0.cmp(&a.0));
            let mut std = v.clone();
            std.sort_by(|a, b| b.0.cmp(&a.0));
            assert_eq!(ours, std);
            let mut ours = v.clone();
            sort_by_key(&mut ours, |x| x.0);
            let mut std = v.clone();
            std.sort_by_key(|x| x.0);
            assert_eq!(ours, std);
            let mut ours = v.clone();
            sort(&mut ours);
            let mut std = v;
            std.sort();
            assert_eq!(ours, std);
        }
    }

    #[test]
    fn collections_equal_collect() {
        let pairs = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        assert_eq!(map(pairs), pairs.into_iter().collect::<BTreeMap<_, _>>());
        assert_eq!(set([5, 1, 5, 3]), [5, 1, 5, 3].into_iter().collect());
    }
}
