//! Synthetic pools with realistic feature distributions, for tests and benchmarks:
//! users clustered in the world's busy UTC offsets, popular values and interests far more
//! common than rare ones (Zipf-like), evening chat hours, mostly reliable users.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use tandem_domain::profile::{ChatWindow, CommunicationStyle, Depth, ResponsePace};
use tandem_domain::{UserId, catalogue};

use crate::features::PoolUser;
use crate::rng::SplitMix64;

/// (UTC offset in minutes, share of users).
const OFFSETS: &[(i32, f64)] = &[
    (-480, 0.07),
    (-420, 0.03),
    (-360, 0.06),
    (-300, 0.12),
    (-180, 0.05),
    (0, 0.14),
    (60, 0.28),
    (120, 0.08),
    (180, 0.03),
    (330, 0.06),
    (480, 0.03),
    (540, 0.03),
    (600, 0.02),
];

fn weighted_offset(rng: &mut SplitMix64) -> i32 {
    let mut r = rng.unit();
    for &(offset, share) in OFFSETS {
        if r < share {
            return offset;
        }
        r -= share;
    }
    OFFSETS[OFFSETS.len() - 1].0
}

/// A Zipf-like pick: index i has weight 1/(i+1).
fn zipf(rng: &mut SplitMix64, n: usize) -> usize {
    let harmonic: f64 = (1..=n).map(|i| 1.0 / i as f64).sum();
    let mut r = rng.unit() * harmonic;
    for i in 0..n {
        r -= 1.0 / (i + 1) as f64;
        if r <= 0.0 {
            return i;
        }
    }
    n - 1
}

fn weights(rng: &mut SplitMix64, keys: &[&str], count: usize, min: u8) -> BTreeMap<String, u8> {
    let mut out = BTreeMap::new();
    while out.len() < count {
        let key = keys[zipf(rng, keys.len())];
        out.insert(key.to_owned(), min + rng.below(usize::from(101 - min)) as u8);
    }
    out
}

fn around_fifty(rng: &mut SplitMix64) -> u8 {
    ((rng.below(51) + rng.below(51)) as u8).min(100)
}

fn time(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour % 24, minute, 0).unwrap_or(NaiveTime::MIN)
}

/// The `i`-th synthetic user's id: a valid UUIDv7 whose time field is `i`, so ids sort in
/// generation order.
pub fn user_id(i: usize) -> UserId {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&((i as u64) << 16).to_be_bytes());
    bytes[6] = 0x70;
    bytes[8] = 0x80;
    UserId::from_uuid(uuid::Uuid::from_bytes(bytes)).unwrap_or_else(UserId::generate)
}

/// `n` users with ids [`user_id`]`(0..n)`, and about `n / 1000` excluded pairs among them:
/// the realistic shape.
pub fn pool(n: usize, seed: u64) -> (Vec<PoolUser>, Vec<(UserId, UserId)>) {
    shaped(Shape::Realistic, n, seed)
}

/// Differently shaped pools: the engine is measured on all of them, never tuned on one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Busy UTC offsets, Zipf-like values and interests, evening hours, 10 % ghosting.
    Realistic,
    /// Offsets, values and interests drawn uniformly.
    Uniform,
    /// Three quarters of the pool in one offset, the rest thinly spread over the world.
    SkewedTimezones,
    /// Half- and quarter-hour offsets (India, Nepal, Newfoundland, central Australia…)
    /// mixed with whole hours, so the ±2 h windows overlap partially.
    HalfHourTimezones,
    /// A fifth of the pool has a broad, mainstream profile that scores high with everyone.
    PopularUsers,
    /// Two communities with disjoint values and interests, and 15 % empty profiles.
    CommunitiesAndEmptyProfiles,
    /// Every user blocked by or recently paired with about 15 % of the pool.
    ManyExclusions,
    /// A third of the pool abandoned conversations in a row and rarely replies.
    GhostingHistories,
}

impl Shape {
    pub const ALL: &[Shape] = &[
        Shape::Realistic,
        Shape::Uniform,
        Shape::SkewedTimezones,
        Shape::HalfHourTimezones,
        Shape::PopularUsers,
        Shape::CommunitiesAndEmptyProfiles,
        Shape::ManyExclusions,
        Shape::GhostingHistories,
    ];

    /// The shape's name on the command line.
    pub fn slug(self) -> &'static str {
        match self {
            Shape::Realistic => "realistic",
            Shape::Uniform => "uniform",
            Shape::SkewedTimezones => "skewed-timezones",
            Shape::HalfHourTimezones => "half-hour-timezones",
            Shape::PopularUsers => "popular-users",
            Shape::CommunitiesAndEmptyProfiles => "communities-and-empty-profiles",
            Shape::ManyExclusions => "many-exclusions",
            Shape::GhostingHistories => "ghosting-histories",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Shape::Realistic => "realistic",
            Shape::Uniform => "uniform",
            Shape::SkewedTimezones => "skewed timezones",
            Shape::HalfHourTimezones => "half-hour timezones",
            Shape::PopularUsers => "popular users",
            Shape::CommunitiesAndEmptyProfiles => "communities + empty profiles",
            Shape::ManyExclusions => "many blocks and recent pairs",
            Shape::GhostingHistories => "ghosting histories",
        }
    }
}

const HALF_HOUR_OFFSETS: &[i32] = &[-210, -180, 0, 60, 240, 270, 300, 330, 345, 390, 480, 525, 570, 600, 630];

/// A pool of `n` users of the given shape, with ids [`user_id`]`(0..n)`, and the excluded
/// pairs that are not on the users' own lists.
pub fn shaped(shape: Shape, n: usize, seed: u64) -> (Vec<PoolUser>, Vec<(UserId, UserId)>) {
    let mut rng = SplitMix64::new(seed ^ ((shape as u64) << 56));
    let mut users: Vec<PoolUser> = (0..n).map(|i| realistic_user(i, &mut rng)).collect();
    for user in &mut users {
        match shape {
            Shape::Realistic | Shape::ManyExclusions => {}
            Shape::Uniform => {
                user.utc_offset_minutes = (rng.below(27) as i32 - 12) * 60;
                let (values, interests) = (3 + rng.below(4), 3 + rng.below(6));
                user.values = uniform_weights(&mut rng, catalogue::VALUES, values, 40);
                user.interests = uniform_weights(&mut rng, catalogue::INTERESTS, interests, 20);
            }
            Shape::SkewedTimezones => {
                if rng.unit() >= 0.75 {
                    user.utc_offset_minutes = (rng.below(27) as i32 - 12) * 60;
                } else {
                    user.utc_offset_minutes = 60;
                }
            }
            Shape::HalfHourTimezones => {
                user.utc_offset_minutes = HALF_HOUR_OFFSETS[rng.below(HALF_HOUR_OFFSETS.len())];
            }
            Shape::PopularUsers => {
                if rng.unit() < 0.2 {
                    make_popular(user, &mut rng);
                }
            }
            Shape::CommunitiesAndEmptyProfiles => {
                let r = rng.unit();
                if r < 0.15 {
                    user.values.clear();
                    user.interests.clear();
                    user.chat_hours.clear();
                } else {
                    let half = usize::from(r < 0.575);
                    let part = |keys: &'static [&'static str]| {
                        let middle = keys.len() / 2;
                        if half == 0 { &keys[..middle] } else { &keys[middle..] }
                    };
                    let (values, interests) = (3 + rng.below(4), 3 + rng.below(6));
                    user.values = uniform_weights(&mut rng, part(catalogue::VALUES), values, 40);
                    user.interests = uniform_weights(&mut rng, part(catalogue::INTERESTS), interests, 20);
                }
            }
            Shape::GhostingHistories => {
                if rng.unit() < 0.33 {
                    user.abandoned_in_a_row = 1 + rng.below(3) as u8;
                    user.response_rate = (0.1 + rng.unit() * 0.4) as f32;
                }
            }
        }
    }
    let mut excluded: Vec<(UserId, UserId)> = (0..n / 1000 + usize::from(n >= 2))
        .filter_map(|_| {
            let (a, b) = (rng.below(n.max(1)), rng.below(n.max(1)));
            (a != b).then(|| (user_id(a), user_id(b)))
        })
        .collect();
    if shape == Shape::ManyExclusions && n >= 2 {
        // ~15 % of the pool excluded for each user: half as the user's own list (blocks,
        // recent partners), half as caller-side pairs (blocks made after queueing).
        let per_user = (n * 15 / 100 / 2).max(1);
        for (i, user) in users.iter_mut().enumerate() {
            for _ in 0..per_user {
                let j = rng.below(n);
                if j != i {
                    user.excluded.push(user_id(j));
                }
                let k = rng.below(n);
                if k != i {
                    excluded.push((user_id(i), user_id(k)));
                }
            }
        }
    }
    (users, excluded)
}

fn realistic_user(i: usize, rng: &mut SplitMix64) -> PoolUser {
    let values_count = 3 + rng.below(4);
    let interests_count = 3 + rng.below(6);
    let windows = 1 + rng.below(2);
    let chat_hours = (0..windows)
        .map(|w| {
            let start = if w == 0 { 17 + rng.below(5) } else { 7 + rng.below(5) } as u32;
            ChatWindow { start: time(start, 0), end: time(start + 2 + rng.below(3) as u32, 0) }
        })
        .collect();
    PoolUser {
        id: user_id(i),
        utc_offset_minutes: weighted_offset(rng),
        values: weights(rng, catalogue::VALUES, values_count, 40),
        interests: weights(rng, catalogue::INTERESTS, interests_count, 20),
        communication: CommunicationStyle {
            directness: around_fifty(rng),
            humour: around_fifty(rng),
            response_pace: if rng.unit() < 0.4 { ResponsePace::Quick } else { ResponsePace::Flexible },
        },
        depth: match rng.below(20) {
            0..=5 => Depth::Light,
            6..=14 => Depth::Moderate,
            _ => Depth::Deep,
        },
        chat_hours,
        response_rate: (0.5 + rng.unit() * 0.5) as f32,
        abandoned_in_a_row: if rng.unit() < 0.9 { 0 } else { 1 + rng.below(2) as u8 },
        excluded: Vec::new(),
        trust: 50,
        intent: None,
    }
}

fn uniform_weights(rng: &mut SplitMix64, keys: &[&str], count: usize, min: u8) -> BTreeMap<String, u8> {
    let mut out = BTreeMap::new();
    while out.len() < count.min(keys.len()) {
        let key = keys[rng.below(keys.len())];
        out.insert(key.to_owned(), min + rng.below(usize::from(101 - min)) as u8);
    }
    out
}

/// The mainstream profile: the most common values and interests, strongly held, middle of
/// the road on style, available most of the evening, always replies.
fn make_popular(user: &mut PoolUser, rng: &mut SplitMix64) {
    user.values = catalogue::VALUES.iter().take(6).map(|k| ((*k).to_owned(), 80 + rng.below(21) as u8)).collect();
    user.interests =
        catalogue::INTERESTS.iter().take(10).map(|k| ((*k).to_owned(), 70 + rng.below(31) as u8)).collect();
    user.communication.directness = 50;
    user.communication.humour = 50;
    user.depth = Depth::Moderate;
    user.chat_hours = vec![ChatWindow { start: time(7, 0), end: time(23, 0) }];
    user.response_rate = 1.0;
    user.abandoned_in_a_row = 0;
}
