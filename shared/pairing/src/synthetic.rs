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

/// `n` users with ids [`user_id`]`(0..n)`, and about `n / 1000` excluded pairs among them.
pub fn pool(n: usize, seed: u64) -> (Vec<PoolUser>, Vec<(UserId, UserId)>) {
    let mut rng = SplitMix64::new(seed);
    let id = user_id;
    let users: Vec<PoolUser> = (0..n)
        .map(|i| {
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
                id: id(i),
                utc_offset_minutes: weighted_offset(&mut rng),
                values: weights(&mut rng, catalogue::VALUES, values_count, 40),
                interests: weights(&mut rng, catalogue::INTERESTS, interests_count, 20),
                communication: CommunicationStyle {
                    directness: around_fifty(&mut rng),
                    humour: around_fifty(&mut rng),
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
            }
        })
        .collect();
    let excluded = (0..n / 1000 + usize::from(n >= 2))
        .filter_map(|_| {
            let (a, b) = (rng.below(n.max(1)), rng.below(n.max(1)));
            (a != b).then(|| (id(a), id(b)))
        })
        .collect();
    (users, excluded)
}
