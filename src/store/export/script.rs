//! A plain Python script of the answered steps: the prelude, then each step's
//! working code under its question, the answer as a comment. Run from any
//! folder, it reads the exported datasets and saves charts to `output/`.

use super::prelude::{self, ExportedDataset};
use super::steps;
use crate::store::saved::SavedSession;

pub fn render(saved: &SavedSession, datasets: &[ExportedDataset]) -> Vec<u8> {
    let meta = &saved.meta;
    let mut script = format!(
        "# {}\n# Exported from Sandpiper ({}): the code of every answered step.\n\n",
        one_line(&meta.title),
        steps::date_text(meta.updated_at)
    );
    script.push_str(&prelude::python(datasets, true));
    for (number, step) in steps::steps(&saved.conversation).iter().enumerate() {
        let Some(answer) = &step.answer else {
            continue;
        };
        script.push_str(&format!(
            "\n\n# %% {}. {}\n",
            number + 1,
            one_line(step.question.unwrap_or(""))
        ));
        script.push_str(prelude::rewrite_paths(answer.code, datasets).trim_end());
        script.push('\n');
        script.push_str("# Answer:\n");
        for line in answer.text.lines() {
            script.push_str(&format!("#   {line}\n"));
        }
    }
    script.into_bytes()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
