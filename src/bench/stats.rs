//! Median and 95th percentile of timed runs, and the report row built from them.

use std::time::Duration;

/// Timings of repeated runs of one thing.
#[derive(Debug, Clone, Default)]
pub struct Sample(pub Vec<Duration>);

impl Sample {
    pub fn median(&self) -> Duration {
        self.percentile(50.0)
    }

    pub fn p95(&self) -> Duration {
        self.percentile(95.0)
    }

    /// Nearest-rank percentile.
    pub fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }
}

/// One line of the report: our timing, the baseline's, and their ratio.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub baseline_name: String,
    pub ours: Sample,
    pub baseline: Sample,
}

impl Row {
    /// Ours over the baseline, by median: below 1.0 is faster than the baseline.
    pub fn ratio(&self) -> f64 {
        let base = self.baseline.median().as_secs_f64();
        if base == 0.0 {
            return f64::NAN;
        }
        self.ours.median().as_secs_f64() / base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Sample {
        Sample(v.iter().map(|&m| Duration::from_millis(m)).collect())
    }

    #[test]
    fn median_p95_and_ratio() {
        let s = ms(&(1..=20).collect::<Vec<_>>());
        assert_eq!(s.median(), Duration::from_millis(10));
        assert_eq!(s.p95(), Duration::from_millis(19));
        let row = Row {
            name: "a".into(),
            baseline_name: "b".into(),
            ours: ms(&[50, 50, 50]),
            baseline: ms(&[100, 100, 100]),
        };
        assert!((row.ratio() - 0.5).abs() < 1e-9);
    }
}
