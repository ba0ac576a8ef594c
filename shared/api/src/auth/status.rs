//! Account statuses as a warm function last read them: a ban must stop a still-valid access
//! token, and reading the user on every request would double each route's reads, so a
//! status is trusted for `Config::status_cache_seconds` (30 s; the product allows 60).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tandem_domain::{UserId, UserStatus};

pub struct StatusCache {
    ttl: Duration,
    entries: Mutex<HashMap<UserId, (UserStatus, Instant)>>,
}

/// Past this many entries the cache is cleared rather than grown (a warm function sees a
/// bounded number of users; this only caps memory).
const MAX_ENTRIES: usize = 10_000;

impl StatusCache {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, entries: Mutex::new(HashMap::new()) }
    }

    pub fn get(&self, user: &UserId) -> Option<UserStatus> {
        let entries = self.entries.lock().ok()?;
        entries.get(user).filter(|(_, read_at)| read_at.elapsed() < self.ttl).map(|(status, _)| *status)
    }

    pub fn put(&self, user: &UserId, status: UserStatus) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(user.clone(), (status, Instant::now()));
        }
    }

    /// Drops what this function knew (it just changed the status itself).
    pub fn forget(&self, user: &UserId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(user);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_can_be_forgotten() {
        let user = UserId::generate();
        let cache = StatusCache::new(Duration::from_secs(60));
        assert_eq!(cache.get(&user), None);
        cache.put(&user, UserStatus::Active);
        assert_eq!(cache.get(&user), Some(UserStatus::Active));
        cache.forget(&user);
        assert_eq!(cache.get(&user), None);
        let expired = StatusCache::new(Duration::ZERO);
        expired.put(&user, UserStatus::Banned);
        assert_eq!(expired.get(&user), None);
    }
}
