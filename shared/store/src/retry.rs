//! Optimistic writes: read, decide, write only if nothing changed since the read; a write
//! that lost its race to a concurrent one is decided again from a fresh read. One loop for
//! every such write, so each says only what one attempt is.

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt<T> {
    /// Written (or nothing to write): the answer.
    Done(T),
    /// Another write got there between the read and this write: read again.
    Again,
}

/// How many times a write that keeps losing its race is decided again before giving up.
pub const OPTIMISTIC_ATTEMPTS: usize = 5;

/// Runs `attempt` until it is done, at most `attempts` times: `Ok(None)` when every attempt
/// lost its race (the caller says what that means: a 503, an error to retry later).
///
/// `attempt` is a plain closure returning a future (`move || async move { … }` over borrowed
/// inputs), so the futures stay `Send` for the Lambda runtime.
pub async fn optimistically<T, E, Fut>(attempts: usize, mut attempt: impl FnMut() -> Fut) -> Result<Option<T>, E>
where
    Fut: std::future::Future<Output = Result<Attempt<T>, E>>,
{
    for _ in 0..attempts {
        if let Attempt::Done(answer) = attempt().await? {
            return Ok(Some(answer));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_attempt_that_loses_is_decided_again_up_to_the_limit() {
        let mut tries = 0;
        let answer: Result<Option<u32>, ()> = optimistically(5, || {
            tries += 1;
            let tried = tries;
            async move { Ok(if tried < 3 { Attempt::Again } else { Attempt::Done(tried) }) }
        })
        .await;
        assert_eq!(answer, Ok(Some(3)));
        let mut tries = 0;
        let gave_up: Result<Option<u32>, ()> = optimistically(2, || {
            tries += 1;
            async { Ok(Attempt::Again) }
        })
        .await;
        assert_eq!((gave_up, tries), (Ok(None), 2));
        let failed: Result<Option<u32>, &str> = optimistically(5, || async { Err("broken") }).await;
        assert_eq!(failed, Err("broken"), "an error is no lost race");
    }
}
