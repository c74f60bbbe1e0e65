//! A session's title suggested from its first question: the question's first
//! sentence, cut at a word near 60 characters, without the question mark.

const MAX_CHARS: usize = 60;

pub fn suggest(question: &str) -> String {
    let flat = question.split_whitespace().collect::<Vec<_>>().join(" ");
    let first_sentence = flat
        .char_indices()
        .find(|&(i, c)| matches!(c, '?' | '!' | '.') && flat[i + c.len_utf8()..].starts_with(' '))
        .map_or(flat.as_str(), |(i, _)| &flat[..i]);
    let trimmed = first_sentence.trim_end_matches(['?', '!', '.', ' ']);
    let mut title = String::new();
    for word in trimmed.split(' ') {
        if !title.is_empty() && title.chars().count() + 1 + word.chars().count() > MAX_CHARS {
            title.push('…');
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    let title: String = match title.chars().count() > MAX_CHARS + 1 {
        true => title.chars().take(MAX_CHARS).chain(['…']).collect(),
        false => title,
    };
    let mut chars = title.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => super::meta::UNTITLED.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_first_sentence_and_stay_short() {
        assert_eq!(
            suggest("which region sold the most in Q1?"),
            "Which region sold the most in Q1"
        );
        assert_eq!(
            suggest("Plot sales by month. Then explain the dip."),
            "Plot sales by month"
        );
        let long = suggest(&"revenue ".repeat(30));
        assert!(long.chars().count() <= 61, "{long}");
        assert!(long.ends_with('…'));
        assert_eq!(suggest("   "), "New analysis");
        assert_eq!(suggest("v1.2 results?"), "V1.2 results");
    }
}
