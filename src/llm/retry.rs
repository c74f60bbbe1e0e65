//! When to try again: exponential backoff with full jitter on passing problems
//! (429, 5xx, "overloaded"), waiting at least what the provider asked for in
//! `Retry-After`, for a bounded number of tries.

use crate::error::LlmError;
use reqwest::header::HeaderMap;
use std::time::{Duration, SystemTime};

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Tries in all, the first included. 1 means: never retry.
    pub max_attempts: u32,
    /// The backoff before the second try; it doubles for each next one.
    pub base_delay: Duration,
    /// No backoff is longer than this.
    pub max_delay: Duration,
    /// A provider asking to wait longer than this is not waited for: the call
    /// fails with "rate limited, try again in ..." instead.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(1000),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before the try after `attempt` (1-based), or `None` when
    /// `error` is not worth another try or the tries are used up.
    pub fn wait_before_next(&self, attempt: u32, error: &LlmError) -> Option<Duration> {
        if attempt >= self.max_attempts || !error.is_retryable() {
            return None;
        }
        let exponential = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_delay);
        // Full jitter: many clients that failed together do not retry together.
        let jittered = exponential.mul_f64(rand::random_range(0.5..=1.0));
        match error.retry_after() {
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => Some(asked.max(jittered.min(asked + self.base_delay))),
            None => Some(jittered),
        }
    }
}

/// The wait a response asks for: `Retry-After` in seconds or as an HTTP date, or
/// the `retry-after-ms` some providers add.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    if let Some(ms) = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::ProviderId;

    fn busy() -> LlmError {
        LlmError::Unavailable {
            provider: ProviderId::Anthropic,
            status: Some(529),
            attempts: 1,
            message: "Overloaded".into(),
        }
    }

    fn limited(after: Option<Duration>) -> LlmError {
        LlmError::RateLimited {
            provider: ProviderId::OpenAi,
            retry_after: after,
            attempts: 1,
            message: String::new(),
        }
    }

    #[test]
    fn backoff_grows_stays_bounded_and_stops() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            ..RetryPolicy::default()
        };
        let first = policy.wait_before_next(1, &busy()).unwrap();
        assert!((50..=100).contains(&first.as_millis()), "{first:?}");
        let third = policy.wait_before_next(3, &busy()).unwrap();
        assert!((200..=400).contains(&third.as_millis()), "{third:?}");
        let ninth = policy.wait_before_next(9, &busy()).unwrap();
        assert!(ninth <= Duration::from_millis(1000));
        assert_eq!(policy.wait_before_next(10, &busy()), None);
        assert_eq!(policy.wait_before_next(1, &LlmError::Cancelled), None);
    }

    #[test]
    fn retry_after_is_honoured_unless_too_long() {
        let policy = RetryPolicy::default();
        let wait = policy
            .wait_before_next(1, &limited(Some(Duration::from_secs(7))))
            .unwrap();
        assert!(wait >= Duration::from_secs(7));
        assert_eq!(
            policy.wait_before_next(1, &limited(Some(Duration::from_secs(3600)))),
            None
        );
    }

    #[test]
    fn retry_after_headers_in_seconds_dates_and_milliseconds() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "3".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        headers.insert("retry-after", later.parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(wait > Duration::from_secs(27) && wait <= Duration::from_secs(30));
        headers.insert("retry-after-ms", "1500".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(1500)));
    }
}
