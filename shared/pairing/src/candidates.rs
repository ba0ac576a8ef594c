//! Candidate generation: for each user, a bounded list of users they may be paired with.
//!
//! Users are bucketed by UTC offset; a user's compatible pool is the contiguous range of
//! buckets within the allowed offset difference. When that pool is no larger than the
//! sample size, every compatible user is a candidate (small pools get the complete graph).
//! Otherwise the user draws `sample_size` candidates: a quarter from users who share each
//! of its two strongest values (an inverted index per bucket), the rest uniformly. Cost:
//! O(n · sample_size) whatever the pool's density; memory O(n · sample_size).

use std::collections::HashMap;

use tandem_domain::UserId;

use crate::EngineConfig;
use crate::features::{Features, PoolUser};
use crate::rng::SplitMix64;

/// Hard filters that are not about offsets: blocks either way, recent partners, and
/// any pair excluded by the caller.
pub struct Exclusions {
    /// Sorted indexes each user must not be paired with.
    per_user: Vec<Vec<u32>>,
}

impl Exclusions {
    pub fn new(pool: &[PoolUser], excluded_pairs: &[(UserId, UserId)]) -> Self {
        let index: HashMap<&UserId, u32> = pool.iter().enumerate().map(|(i, u)| (&u.id, i as u32)).collect();
        let mut per_user: Vec<Vec<u32>> = vec![Vec::new(); pool.len()];
        let mut exclude = |a: &UserId, b: &UserId| {
            if let (Some(&a), Some(&b)) = (index.get(a), index.get(b)) {
                per_user[a as usize].push(b);
                per_user[b as usize].push(a);
            }
        };
        for user in pool {
            for other in &user.excluded {
                exclude(&user.id, other);
            }
        }
        for (a, b) in excluded_pairs {
            exclude(a, b);
        }
        for list in &mut per_user {
            list.sort_unstable();
            list.dedup();
        }
        Self { per_user }
    }

    pub fn allows(&self, a: u32, b: u32) -> bool {
        a != b && self.per_user[a as usize].binary_search(&b).is_err()
    }
}

struct Bucket {
    offset: i32,
    members: Vec<u32>,
    /// Value catalogue index → members holding it among their strongest values.
    by_value: HashMap<u8, Vec<u32>>,
}

/// Candidate lists, by pool index.
pub fn generate(
    pool: &[PoolUser],
    features: &[Features],
    exclusions: &Exclusions,
    config: &EngineConfig,
) -> Vec<Vec<u32>> {
    let buckets = bucket(features);
    let mut rng = SplitMix64::new(config.seed);
    let mut seen = vec![u32::MAX; pool.len()];
    let mut lists = Vec::with_capacity(pool.len());
    for (i, user) in features.iter().enumerate() {
        let me = i as u32;
        let range = compatible_range(&buckets, user.utc_offset_minutes, config.max_offset_difference_minutes);
        let window = &buckets[range];
        let total: usize = window.iter().map(|b| b.members.len()).sum();
        let mut list = Vec::with_capacity(config.sample_size.min(total));
        let mut take = |j: u32, list: &mut Vec<u32>| {
            if seen[j as usize] != me && exclusions.allows(me, j) {
                seen[j as usize] = me;
                list.push(j);
            }
        };
        if total <= config.sample_size + 1 {
            for j in window.iter().flat_map(|b| b.members.iter().copied()) {
                take(j, &mut list);
            }
        } else {
            let per_value = config.sample_size / 4;
            for value in user.top_values.iter().take(2) {
                let holders: Vec<&Vec<u32>> = window.iter().filter_map(|b| b.by_value.get(value)).collect();
                let count: usize = holders.iter().map(|h| h.len()).sum();
                for _ in 0..per_value.min(count) {
                    take(pick(&holders, count, &mut rng), &mut list);
                }
            }
            let members: Vec<&Vec<u32>> = window.iter().map(|b| &b.members).collect();
            // A few extra draws make up for duplicates and filtered users.
            let mut attempts = 2 * config.sample_size;
            while list.len() < config.sample_size && attempts > 0 {
                take(pick(&members, total, &mut rng), &mut list);
                attempts -= 1;
            }
        }
        // Ascending order: scoring then walks the features array forwards (fewer cache misses).
        list.sort_unstable();
        lists.push(list);
    }
    lists
}

fn bucket(features: &[Features]) -> Vec<Bucket> {
    let mut by_offset: std::collections::BTreeMap<i32, Vec<u32>> = Default::default();
    for (i, f) in features.iter().enumerate() {
        by_offset.entry(f.utc_offset_minutes).or_default().push(i as u32);
    }
    by_offset
        .into_iter()
        .map(|(offset, members)| {
            let mut by_value: HashMap<u8, Vec<u32>> = HashMap::new();
            for &m in &members {
                for &value in &features[m as usize].top_values {
                    by_value.entry(value).or_default().push(m);
                }
            }
            Bucket { offset, members, by_value }
        })
        .collect()
}

fn compatible_range(buckets: &[Bucket], offset: i32, max_difference: i32) -> std::ops::Range<usize> {
    let start = buckets.partition_point(|b| b.offset < offset - max_difference);
    let end = buckets.partition_point(|b| b.offset <= offset + max_difference);
    start..end
}

/// Uniform pick from the concatenation of `lists` (`total` members in all).
fn pick(lists: &[&Vec<u32>], total: usize, rng: &mut SplitMix64) -> u32 {
    let mut index = rng.below(total);
    for list in lists {
        if index < list.len() {
            return list[index];
        }
        index -= list.len();
    }
    unreachable!("index below the total length")
}
