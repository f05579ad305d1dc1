//! Serde adapter: a map with non-string keys (e.g. `OpId`) as a JSON array
//! of `[key, value]` pairs, since JSON object keys must be strings.

use serde::Serialize;
use serde::de::{Deserialize, Deserializer};
use serde::ser::{SerializeSeq, Serializer};
use std::collections::BTreeMap;

/// Serialize as `[[k, v], …]` in key order.
pub fn serialize<K: Serialize, V: Serialize, S: Serializer>(
    map: &BTreeMap<K, V>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(map.len()))?;
    for pair in map {
        seq.serialize_element(&pair)?;
    }
    seq.end()
}

/// Deserialize from `[[k, v], …]`.
pub fn deserialize<'de, K, V, D>(d: D) -> Result<BTreeMap<K, V>, D::Error>
where
    K: Deserialize<'de> + Ord,
    V: Deserialize<'de>,
    D: Deserializer<'de>,
{
    let pairs: Vec<(K, V)> = Vec::deserialize(d)?;
    Ok(crate::lean::map(pairs))
}
