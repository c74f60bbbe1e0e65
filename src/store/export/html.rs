//! A standalone HTML report: one file that opens offline in any browser, with
//! every chart embedded as a data URI and no scripts at all (a content
//! security policy forbids them). Each step shows the question, the answer
//! (numbers the output does not back are marked), the charts, and the code
//! and its output folded under "Code".

use super::steps::{self, Step};
use crate::conversation::UngroundedNumber;
use crate::run_outcome::Artifact;
use crate::store::saved::SavedSession;
use base64::Engine as _;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;\
padding:0 1rem;color:#1d2433;line-height:1.5}h1{margin-bottom:.2rem}.meta{color:#5b6473}\
section{border-top:1px solid #d8dde6;padding:1rem 0}.state{color:#5b6473;font-size:.9rem}\
mark{background:#ffe9a8}img{max-width:100%;height:auto;display:block;margin:.6rem 0}\
pre{background:#f4f6f9;padding:.7rem;overflow-x:auto;font-size:.85rem}\
.answer{white-space:pre-wrap}";

pub fn render(saved: &SavedSession) -> Vec<u8> {
    let meta = &saved.meta;
    let mut page = String::new();
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         img-src data:; style-src 'unsafe-inline'\">\n",
    );
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str(&format!(
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        text(&meta.title)
    ));
    page.push_str(&format!("<h1>{}</h1>\n", text(&meta.title)));
    page.push_str(&format!(
        "<p class=\"meta\">Sandpiper report. Started {}, last changed {}.</p>\n",
        text(&steps::date_text(meta.created_at)),
        text(&steps::date_text(meta.updated_at))
    ));
    if !meta.datasets.is_empty() {
        page.push_str("<ul class=\"meta\">\n");
        for dataset in &meta.datasets {
            page.push_str(&format!(
                "<li>{} ({} bytes, SHA-256 <code>{}</code>)</li>\n",
                text(&dataset.name),
                dataset.size_bytes,
                text(&dataset.sha256)
            ));
        }
        page.push_str("</ul>\n");
    }
    for (number, step) in steps::steps(&saved.conversation).iter().enumerate() {
        page.push_str(&section(number + 1, step));
    }
    page.push_str("</body>\n</html>\n");
    page.into_bytes()
}

fn section(number: usize, step: &Step<'_>) -> String {
    let mut html = String::from("<section>\n");
    html.push_str(&format!(
        "<h2>{number}. {}</h2>\n<p class=\"state\">{}</p>\n",
        text(step.question.unwrap_or("(no question was saved)")),
        text(steps::state_words(step.state))
    ));
    if let Some(answer) = &step.answer {
        html.push_str(&format!(
            "<p class=\"answer\">{}</p>\n",
            marked(answer.text, answer.ungrounded)
        ));
        for chart in answer.charts {
            html.push_str(&chart_html(chart));
        }
        html.push_str(&format!(
            "<details><summary>Code</summary>\n<pre><code>{}</code></pre>\n",
            text(answer.code)
        ));
        if !answer.stdout.is_empty() {
            html.push_str(&format!(
                "<p>Output</p>\n<pre>{}</pre>\n",
                text(answer.stdout)
            ));
        }
        html.push_str("</details>\n");
    }
    if let Some((tries, suggestion)) = step.gave_up {
        html.push_str("<ul>\n");
        for failed in tries {
            html.push_str(&format!(
                "<li>Try {}: {}</li>\n",
                failed.try_number,
                text(&failed.reason)
            ));
        }
        html.push_str(&format!("</ul>\n<p>{}</p>\n", text(suggestion)));
    }
    if let Some(error) = step.error {
        html.push_str(&format!(
            "<p>{} {}</p>\n",
            text(&error.title),
            text(&error.advice)
        ));
    }
    html.push_str("</section>\n");
    html
}

/// The answer with each number its output does not back wrapped in `<mark>`.
fn marked(answer: &str, ungrounded: &[UngroundedNumber]) -> String {
    let mut spans: Vec<&UngroundedNumber> = ungrounded
        .iter()
        .filter(|n| {
            n.start < n.end
                && answer.is_char_boundary(n.start)
                && answer.is_char_boundary(n.end)
                && n.end <= answer.len()
        })
        .collect();
    spans.sort_by_key(|n| n.start);
    let mut html = String::new();
    let mut at = 0;
    for number in spans {
        if number.start < at {
            continue;
        }
        html.push_str(&text(&answer[at..number.start]));
        html.push_str(&format!(
            "<mark title=\"The code's output does not show this number\">{}</mark>",
            text(&answer[number.start..number.end])
        ));
        at = number.end;
    }
    html.push_str(&text(&answer[at..]));
    html
}

fn chart_html(chart: &Artifact) -> String {
    match std::fs::read(&chart.path) {
        Ok(bytes) if steps::is_image(chart) => format!(
            "<img alt=\"{}\" src=\"data:{};base64,{}\">\n",
            attr(&chart.name),
            attr(&chart.mime),
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
        Ok(_) => format!("<p>File made: {}</p>\n", text(&chart.name)),
        Err(_) => format!(
            "<p>{} is missing from the saved session.</p>\n",
            text(&chart.name)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ungrounded_numbers_are_marked_and_text_is_escaped() {
        let answer = "Sales <rose> 12 % to 1,234.";
        let start = answer.find("12").unwrap();
        let html = marked(
            answer,
            &[UngroundedNumber {
                text: "12 %".into(),
                start,
                end: start + 4,
            }],
        );
        assert!(html.starts_with("Sales &lt;rose&gt; <mark"), "{html}");
        assert!(html.contains(">12 %</mark> to 1,234."), "{html}");
    }
}
