//! What a step has tried so far. Agents that re-run one failing fix until the
//! budget is gone are what users of Open Interpreter and PandasAI complain
//! about: the same code, or the same error, twice means the model must be told
//! what was already tried and asked for another approach, and the same code is
//! never run twice.

/// Why a try failed, as the next request tells it.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    NoCode,
    Repeated {
        same_as: u32,
    },
    PrintedNothing,
    Failed {
        /// e.g. `KeyError: 'Region' (line 4)`, or the run's summary.
        error: String,
        traceback_tail: String,
        stdout_head: String,
    },
}

/// One failed try.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub try_number: u32,
    /// The code that ran (or was refused); `None` when the reply had none.
    pub code: Option<String>,
    pub failure: Failure,
}

#[derive(Debug, Default)]
pub struct Tried {
    /// Each try's code, as compared (whitespace-insensitive), with its number.
    codes: Vec<(String, u32)>,
    /// Each failure in one line, with its try, in order.
    failures: Vec<(u32, String)>,
    /// Error signatures (type and message) seen, with how often.
    signatures: Vec<(String, u32)>,
    repeated_code: bool,
}

impl Tried {
    /// The earlier try that ran exactly this code, if any.
    pub fn same_code_as(&self, code: &str) -> Option<u32> {
        let key = comparable(code);
        self.codes
            .iter()
            .find(|(seen, _)| *seen == key)
            .map(|(_, n)| *n)
    }

    pub fn record(&mut self, attempt: &Attempt) {
        if let Some(code) = &attempt.code
            && self.same_code_as(code).is_none()
        {
            self.codes.push((comparable(code), attempt.try_number));
        }
        let line = one_line(&attempt.failure);
        if let Failure::Repeated { .. } = attempt.failure {
            self.repeated_code = true;
        }
        match self.signatures.iter_mut().find(|(s, _)| *s == line) {
            Some((_, count)) => *count += 1,
            None => self.signatures.push((line.clone(), 1)),
        }
        self.failures.push((attempt.try_number, line));
    }

    /// The same code or the same error came back: time for another approach.
    pub fn is_going_in_circles(&self) -> bool {
        self.repeated_code || self.signatures.iter().any(|(_, count)| *count > 1)
    }

    pub fn failures(&self) -> &[(u32, String)] {
        &self.failures
    }
}

/// Code compared without the whitespace and blank lines a model varies.
fn comparable(code: &str) -> String {
    code.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A failure in one line, as the "already tried" list shows it.
fn one_line(failure: &Failure) -> String {
    match failure {
        Failure::NoCode => "the reply had no code".into(),
        Failure::Repeated { same_as } => format!("the same code as try {same_as}"),
        Failure::PrintedNothing => "the script printed nothing".into(),
        Failure::Failed { error, .. } => error.lines().next().unwrap_or("").to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_that_differs_only_in_spacing_is_the_same_code() {
        let mut tried = Tried::default();
        tried.record(&Attempt {
            try_number: 1,
            code: Some("x = 1\nprint( x )\n".into()),
            failure: Failure::PrintedNothing,
        });
        assert_eq!(tried.same_code_as("x  =  1\n\n  print( x )"), Some(1));
        assert_eq!(tried.same_code_as("print(2)"), None);
        assert!(!tried.is_going_in_circles());
    }
}
