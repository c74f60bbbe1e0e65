//! A Jupyter notebook (nbformat 4.5): the session's title and datasets, the
//! prelude, then per step the question (markdown), the code of the try that
//! worked with what it printed and its charts as the cell's outputs, and the
//! answer (markdown). Steps that were not answered say how they ended.
//! Executed again (`jupyter nbconvert --execute`), it reads the exported datasets.

use super::prelude::{self, ExportedDataset};
use super::steps::{self, Step};
use crate::run_outcome::Artifact;
use crate::store::saved::SavedSession;
use base64::Engine as _;
use serde_json::{Value, json};

pub fn render(saved: &SavedSession, datasets: &[ExportedDataset]) -> Vec<u8> {
    let mut cells = Cells::default();
    let meta = &saved.meta;
    let mut intro = format!(
        "# {}\n\nExported from Sandpiper. Started {}, last changed {}.\n",
        md_line(&meta.title),
        steps::date_text(meta.created_at),
        steps::date_text(meta.updated_at)
    );
    if !meta.datasets.is_empty() {
        intro.push_str("\nDatasets:\n\n");
        for (dataset, exported) in meta.datasets.iter().zip(datasets) {
            intro.push_str(&format!(
                "- `{}` ({} bytes, SHA-256 `{}`){}\n",
                exported.path,
                dataset.size_bytes,
                dataset.sha256,
                if exported.by_reference {
                    ": the original file (the session keeps no copy of it)"
                } else {
                    ""
                }
            ));
        }
    }
    cells.markdown(&intro);
    cells.code(&prelude::python(datasets, false), Vec::new());
    for (number, step) in steps::steps(&saved.conversation).iter().enumerate() {
        add_step(&mut cells, number + 1, step, datasets);
    }
    let notebook = json!({
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
            "sandpiper": {"session_id": meta.id.as_str(), "title": meta.title},
        },
        "cells": cells.0,
    });
    let mut bytes = serde_json::to_vec_pretty(&notebook).expect("a notebook serialises");
    bytes.push(b'\n');
    bytes
}

fn add_step(cells: &mut Cells, number: usize, step: &Step<'_>, datasets: &[ExportedDataset]) {
    let question = step.question.unwrap_or("(no question was saved)");
    cells.markdown(&format!("## {number}. {}", md_line(question)));
    match &step.answer {
        Some(answer) => {
            let mut outputs = Vec::new();
            if !answer.stdout.is_empty() {
                outputs.push(
                    json!({"output_type": "stream", "name": "stdout", "text": answer.stdout}),
                );
            }
            outputs.extend(answer.charts.iter().filter_map(image_output));
            cells.code(&prelude::rewrite_paths(answer.code, datasets), outputs);
            cells.markdown(&format!("**Answer.** {}", answer.text));
        }
        None => {
            let mut text = format!("*{}.*", steps::state_words(step.state));
            if let Some((_, suggestion)) = step.gave_up {
                text.push_str(&format!(" {suggestion}"));
            }
            if let Some(error) = step.error {
                text.push_str(&format!(" {} {}", error.title, error.advice));
            }
            cells.markdown(&text);
        }
    }
}

/// A chart as a `display_data` output; `None` for files that are not pictures
/// or are gone.
fn image_output(chart: &Artifact) -> Option<Value> {
    if !steps::is_image(chart) {
        return None;
    }
    let bytes = std::fs::read(&chart.path).ok()?;
    let data = match chart.mime.as_str() {
        "image/svg+xml" => json!(String::from_utf8_lossy(&bytes)),
        _ => json!(base64::engine::general_purpose::STANDARD.encode(&bytes)),
    };
    Some(json!({
        "output_type": "display_data",
        "data": {chart.mime.as_str(): data, "text/plain": [format!("<{}>", chart.name)]},
        "metadata": {},
    }))
}

/// A title or question on one markdown line.
fn md_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Default)]
struct Cells(Vec<Value>);

impl Cells {
    fn id(&self) -> String {
        format!("cell-{}", self.0.len() + 1)
    }

    fn markdown(&mut self, text: &str) {
        let cell =
            json!({"cell_type": "markdown", "id": self.id(), "metadata": {}, "source": text});
        self.0.push(cell);
    }

    fn code(&mut self, source: &str, outputs: Vec<Value>) {
        let cell = json!({
            "cell_type": "code",
            "id": self.id(),
            "metadata": {},
            "execution_count": null,
            "source": source.trim_end(),
            "outputs": outputs,
        });
        self.0.push(cell);
    }
}
