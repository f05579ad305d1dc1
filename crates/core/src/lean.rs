//! Small-code versions of std helpers for the browser's wasm, where every
//! monomorphised copy is downloaded: one stable sort for every element type.
//! Results equal std's (`sort_by`, `collect`); the tests below pin that.
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

#[cfg(test)]
mod tests {
    use super::*;

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
            std.sort_by_key(|x| std::cmp::Reverse(x.0));
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
