//! Candidate generation: for each user, a bounded list of users they may be paired with.
//!
//! Users are bucketed by UTC offset; a user's compatible pool is the contiguous range of
//! buckets within the allowed offset difference. While the pool's compatible pairs number
//! at most `complete_pair_limit` (about 3,000 users in one window), every allowed pair is a
//! candidate: the complete graph, O(n²) but cheap at that size. Beyond, each user draws
//! `sample_size` candidates: a quarter from users who share each of its two strongest values
//! (an inverted index per bucket), the rest uniformly. Cost: O(n · sample_size) whatever the
//! pool's density; memory O(n · sample_size).

use std::collections::HashMap;

use tandem_domain::UserId;

use crate::EngineConfig;
use crate::features::{Features, PoolUser};
use crate::rng::SplitMix64;

/// Hard filters that are not about offsets: blocks either way, recent partners, any pair
/// excluded by the caller, and the trust floor (users below it are paired only together).
pub struct Exclusions {
    /// Sorted indexes each user must not be paired with.
    per_user: Vec<Vec<u32>>,
    /// Whether each user's trust is below the floor.
    below_floor: Vec<bool>,
}

impl Exclusions {
    pub fn new(pool: &[PoolUser], excluded_pairs: &[(UserId, UserId)], trust_floor: u8) -> Self {
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
        let below_floor = pool.iter().map(|user| user.trust < trust_floor).collect();
        Self { per_user, below_floor }
    }

    pub fn allows(&self, a: u32, b: u32) -> bool {
        a != b
            && self.below_floor[a as usize] == self.below_floor[b as usize]
            && self.per_user[a as usize].binary_search(&b).is_err()
    }
}

struct Bucket {
    offset: i32,
    members: Vec<u32>,
    /// Value catalogue index → members holding it among their strongest values.
    by_value: HashMap<u8, Vec<u32>>,
}

/// The pool by UTC offset, for finding each user's compatible users.
pub struct Buckets {
    buckets: Vec<Bucket>,
    max_difference: i32,
}

impl Buckets {
    pub fn new(features: &[Features], max_offset_difference_minutes: i32) -> Self {
        Self::of(features, 0..features.len() as u32, max_offset_difference_minutes)
    }

    /// Buckets holding only `members` (ascending), e.g. the users still unmatched.
    pub fn of(
        features: &[Features],
        members: impl IntoIterator<Item = u32>,
        max_offset_difference_minutes: i32,
    ) -> Self {
        let mut by_offset: std::collections::BTreeMap<i32, Vec<u32>> = Default::default();
        for i in members {
            by_offset.entry(features[i as usize].utc_offset_minutes).or_default().push(i);
        }
        let buckets = by_offset
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
            .collect();
        Self { buckets, max_difference: max_offset_difference_minutes }
    }

    /// The buckets of users whose offsets are within the allowed difference of `offset`.
    fn compatible(&self, offset: i32) -> &[Bucket] {
        let start = self.buckets.partition_point(|b| b.offset < offset - self.max_difference);
        let end = self.buckets.partition_point(|b| b.offset <= offset + self.max_difference);
        &self.buckets[start..end]
    }

    /// How many users (the user included) are in `offset`'s compatible window.
    pub fn compatible_count(&self, offset: i32) -> usize {
        self.compatible(offset).iter().map(|b| b.members.len()).sum()
    }

    /// Σ over users of their compatible window: the cost of scoring the complete graph.
    pub fn compatible_pairs(&self) -> usize {
        self.buckets.iter().map(|b| b.members.len() * self.compatible_count(b.offset)).sum()
    }

    /// Every compatible user of `offset`'s window, in index order within each bucket.
    pub fn compatible_members(&self, offset: i32) -> impl Iterator<Item = u32> + '_ {
        self.compatible(offset).iter().flat_map(|b| b.members.iter().copied())
    }
}

/// Candidate lists, by pool index.
pub struct Lists {
    /// `lists[i]`: the users scored against `i`, ascending.
    pub lists: Vec<Vec<u32>>,
    /// Every allowed pair is listed, once, by its lower index (`lists[i]` holds only
    /// `j > i`). Otherwise each user's own sample, so a pair may be listed from both sides.
    pub complete: bool,
}

/// Every allowed pair while the pool is small enough ([`EngineConfig::complete_pair_limit`]),
/// otherwise a sample per user.
pub fn generate(features: &[Features], buckets: &Buckets, exclusions: &Exclusions, config: &EngineConfig) -> Lists {
    if buckets.compatible_pairs() <= config.complete_pair_limit {
        Lists { lists: complete(features, buckets, exclusions), complete: true }
    } else {
        Lists { lists: sampled(features, buckets, exclusions, config), complete: false }
    }
}

/// Every allowed compatible pair, listed once by its lower index.
pub fn complete(features: &[Features], buckets: &Buckets, exclusions: &Exclusions) -> Vec<Vec<u32>> {
    features
        .iter()
        .enumerate()
        .map(|(i, user)| {
            let me = i as u32;
            let mut list: Vec<u32> = buckets
                .compatible_members(user.utc_offset_minutes)
                .filter(|&j| j > me && exclusions.allows(me, j))
                .collect();
            list.sort_unstable();
            list
        })
        .collect()
}

/// Each user draws `sample_size` candidates: a quarter from users who share each of its
/// two strongest values (an inverted index per bucket), the rest uniformly from its window.
/// Users whose whole window fits in the sample get all of it.
fn sampled(features: &[Features], buckets: &Buckets, exclusions: &Exclusions, config: &EngineConfig) -> Vec<Vec<u32>> {
    let mut rng = SplitMix64::new(config.seed);
    let mut seen = vec![u32::MAX; features.len()];
    let mut lists = Vec::with_capacity(features.len());
    for (i, user) in features.iter().enumerate() {
        let me = i as u32;
        let window = buckets.compatible(user.utc_offset_minutes);
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

/// `count` users drawn uniformly from `offset`'s compatible window (with repeats), for
/// the second chance of users left unmatched.
pub fn draw(buckets: &Buckets, offset: i32, count: usize, rng: &mut SplitMix64) -> Vec<u32> {
    let members: Vec<&Vec<u32>> = buckets.compatible(offset).iter().map(|b| &b.members).collect();
    let total: usize = members.iter().map(|m| m.len()).sum();
    if total == 0 {
        return Vec::new();
    }
    (0..count).map(|_| pick(&members, total, rng)).collect()
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
