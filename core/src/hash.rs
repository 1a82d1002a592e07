//! A fast hasher for the maps keyed by symbols and small tuples of them.
//!
//! The standard library's SipHash resists hash flooding, which maps of interned billing
//! strings do not need; this multiply-and-rotate hash (as in rustc's `FxHasher`) is several
//! times faster on the integer keys that allocation and aggregation hash per combination.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The multiply-and-rotate hash.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        for &byte in chunks.remainder() {
            self.add(u64::from(byte));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_hash_alike_and_maps_work() {
        let mut map: FastMap<[u32; 2], &str> = FastMap::default();
        map.insert([1, 2], "a");
        map.insert([2, 1], "b");
        assert_eq!(map.get(&[1, 2]), Some(&"a"));
        assert_eq!(map.get(&[2, 1]), Some(&"b"));
        let hash = |text: &str| {
            let mut hasher = FxHasher::default();
            hasher.write(text.as_bytes());
            hasher.finish()
        };
        assert_eq!(hash("wrkspc_01SEARCH"), hash("wrkspc_01SEARCH"));
        assert_ne!(hash("wrkspc_01SEARCH"), hash("wrkspc_01SEARCI"));
    }
}
