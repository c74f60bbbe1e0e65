//! Keeping the answer honest: every number in the model's final answer must be
//! one the code printed (allowing the rounding a person would do: 12.35 may be
//! said as 12.3 or 12, 0.4512 as 45 %, 1 234 567 as 1.2 million). A number that
//! is not found is flagged to the analyst, never silently shown as fact.
//!
//! Numbers the analyst wrote in the question ("the top 5") and small whole
//! numbers used as counts or list markers are not checked: they are not claims
//! about the data.

use crate::conversation::UngroundedNumber;

/// One number as written: its value, and how precisely it was written.
#[derive(Debug, Clone, PartialEq)]
struct Written {
    value: f64,
    /// Digits after the decimal point as written (0 for `12`).
    decimals: u32,
    /// Written as a percentage (`45%`, `45 percent`).
    percent: bool,
    /// The multiplier a word gave it (`million` = 1e6), 1 when none.
    scale: f64,
    start: usize,
    end: usize,
}

/// The numbers in `answer` that neither `output` nor `question` contain.
pub fn ungrounded_numbers(answer: &str, output: &str, question: &str) -> Vec<UngroundedNumber> {
    let printed = numbers_in(output);
    let asked = numbers_in(question);
    written_numbers(answer)
        .into_iter()
        .filter(|n| !is_count_or_marker(n))
        .filter(|n| !asked.iter().any(|q| same(*q, n.full())))
        .filter(|n| !printed.iter().any(|o| backs(*o, n)))
        .map(|n| UngroundedNumber {
            text: answer[n.start..n.end].to_owned(),
            start: n.start,
            end: n.end,
        })
        .collect()
}

/// Every number written in `text`, scaled (`1.2 million` is 1 200 000; `45%` is
/// 45), in order.
pub fn numbers_in(text: &str) -> Vec<f64> {
    written_numbers(text).iter().map(Written::full).collect()
}

impl Written {
    /// The value with its word scale applied (a percentage stays as written).
    fn full(&self) -> f64 {
        self.value * self.scale
    }
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Does the printed value `o` back the written number `n`? It does when `o`,
/// rounded as `n` is written, gives `n`; a percentage may also be backed by a
/// printed fraction (0.4512 for 45 %).
fn backs(o: f64, n: &Written) -> bool {
    let mut candidates = vec![o];
    if n.percent {
        candidates.push(o * 100.0);
    }
    candidates.iter().any(|&o| {
        let scaled = o / n.scale;
        let factor = 10f64.powi(n.decimals as i32);
        let rounded = (scaled * factor).round() / factor;
        // Rounding half-way cases either way, and truncation ("about 12" for 12.7 is
        // not backed, but 12.5 said as 12 is).
        same(rounded, n.value)
            || same((scaled * factor).trunc() / factor, n.value)
            || same(
                (scaled.abs() * factor + 0.5).floor() / factor * scaled.signum(),
                n.value,
            )
    })
}

/// Small whole numbers (up to 10) are counts, ranks and list markers far more
/// often than findings; years are dates, not measurements.
fn is_count_or_marker(n: &Written) -> bool {
    let whole = n.decimals == 0 && !n.percent && n.scale == 1.0;
    whole && (n.value.abs() <= 10.0 || (1900.0..=2100.0).contains(&n.value))
}

/// Every number in `text`: `1,234.56`, `-3.5`, `1 234`, `45%`, `45 percent`,
/// `2.3 million`, `1.5e6`. Digits inside words (`Q1`, `file_2`) are not numbers.
fn written_numbers(text: &str) -> Vec<Written> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_number = bytes[i].is_ascii_digit()
            && (i == 0 || !is_word_byte(bytes[i - 1]) || bytes[i - 1] == b'$');
        if !starts_number {
            i += 1;
            continue;
        }
        let negative = i > 0 && bytes[i - 1] == b'-' && (i < 2 || !is_word_byte(bytes[i - 2]));
        let start = if negative { i - 1 } else { i };
        let (mut value_text, mut j) = (String::new(), i);
        let mut decimals = 0;
        let mut seen_point = false;
        // Digits before the first thousands separator: 1 to 3, or it is not one.
        let mut first_group: Option<usize> = None;
        while j < bytes.len() {
            let b = bytes[j];
            let next_is_digit = bytes.get(j + 1).is_some_and(u8::is_ascii_digit);
            if b.is_ascii_digit() {
                value_text.push(b as char);
                if seen_point {
                    decimals += 1;
                }
            } else if b == b'.' && !seen_point && next_is_digit {
                seen_point = true;
                value_text.push('.');
            } else if matches!(b, b',' | b'_' | b' ')
                && !seen_point
                && next_is_digit
                && digits_after(bytes, j + 1) == 3
                && *first_group.get_or_insert(value_text.len()) <= 3
            {
                // A thousands separator (`1,234`, `1_234`, or `1 234 567` as French
                // and Swiss reports write it): exactly three digits follow.
            } else if (b == b'e' || b == b'E')
                && bytes
                    .get(j + 1)
                    .is_some_and(|c| c.is_ascii_digit() || *c == b'-' || *c == b'+')
            {
                let exp_start = j + 1;
                let mut k = exp_start + 1;
                while k < bytes.len() && bytes[k].is_ascii_digit() {
                    k += 1;
                }
                if let Ok(exp) = text[exp_start..k].parse::<i32>() {
                    value_text = format!("{value_text}e{exp}");
                    decimals = (decimals as i32 - exp).max(0) as u32;
                    j = k;
                }
                break;
            } else {
                break;
            }
            j += 1;
        }
        if j < bytes.len()
            && is_word_byte(bytes[j])
            && !matches!(bytes[j], b'k' | b'K' | b'M' | b'B' | b'x')
        {
            // `3rd`, `2nd`, `10th`, `4GB`: ordinals and units glued on are skipped.
            i = j;
            continue;
        }
        let Ok(mut value) = value_text.parse::<f64>() else {
            i = j.max(i + 1);
            continue;
        };
        if negative {
            value = -value;
        }
        let (percent, scale, end) = suffix(text, j);
        found.push(Written {
            value,
            decimals,
            percent,
            scale,
            start,
            end,
        });
        i = end.max(j).max(i + 1);
    }
    found
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn digits_after(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count()
}

/// What follows a number: `%`, `percent`, `k`, `thousand`, `million`, `bn`, …
/// Returns (percent, scale, end of the whole number).
fn suffix(text: &str, at: usize) -> (bool, f64, usize) {
    let rest = &text[at..];
    let spaced = rest.trim_start_matches(' ');
    let gap = rest.len() - spaced.len();
    if spaced.starts_with('%') {
        return (true, 1.0, at + gap + 1);
    }
    let word: String = spaced
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let end = at + gap + word.len();
    let glued = gap == 0;
    let scale = match word.to_ascii_lowercase().as_str() {
        "percent" => return (true, 1.0, end),
        "thousand" => 1e3,
        "million" | "mn" => 1e6,
        "billion" | "bn" => 1e9,
        "k" if glued => 1e3,
        "m" if glued => 1e6,
        "b" if glued => 1e9,
        _ => return (false, 1.0, at),
    };
    (false, scale, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(answer: &str, output: &str) -> Vec<String> {
        ungrounded_numbers(answer, output, "")
            .into_iter()
            .map(|n| n.text)
            .collect()
    }

    #[test]
    fn numbers_the_code_printed_are_grounded_even_rounded() {
        let output = "mean price 12.3456\ntotal 1234567\nshare 0.4512\ncount 42";
        assert!(flagged("The mean price is 12.35, about 12.3 or 12.", output).is_empty());
        assert!(flagged("Total sales were 1,234,567 (1.2 million, 1.23M).", output).is_empty());
        assert!(flagged("Total sales were 1 234 567.", output).is_empty());
        assert_eq!(
            flagged("Total sales were 1 234 568.", output),
            vec!["1 234 568"]
        );
        assert!(flagged("That is 45% of orders, or 45.1 percent; 42 orders.", output).is_empty());
    }

    #[test]
    fn a_number_the_code_never_printed_is_flagged_with_its_place() {
        let answer = "The average is 17.8 and the total is 1,234,567.";
        let found = ungrounded_numbers(answer, "total 1234567\nmean 12.3", "");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text, "17.8");
        assert_eq!(&answer[found[0].start..found[0].end], "17.8");
    }

    #[test]
    fn counts_years_ordinals_and_the_question_s_own_numbers_are_not_claims() {
        let output = "region A 100.5";
        assert!(flagged("The 3 regions in 2023: 1. A is 2nd with 100.5.", output).is_empty());
        assert!(
            ungrounded_numbers("The top 25 products...", output, "Show the top 25 products")
                .is_empty()
        );
        assert_eq!(flagged("A grew by 37.5%.", output), vec!["37.5%"]);
    }

    #[test]
    fn digits_inside_words_and_negative_numbers_are_read_right() {
        assert!(flagged("Q1 and file_2 are fine.", "").is_empty());
        assert!(flagged("The change was -4.25.", "delta -4.25").is_empty());
        assert_eq!(
            flagged("The change was -4.25.", "delta 4.25"),
            vec!["-4.25"]
        );
    }
}
