//! What leaves the computer about a dataset: schema, statistics and a few sample
//! rows by default; no rows when the setting is off; never the whole file. The
//! text the analyst can view is exactly the text in the request.

mod llm_support;

use llm_support::{Reply, Server, config};
use sandpiper::llm::what_is_sent::{
    ColumnSummary, DatasetSummary, NumericStats, SendPolicy, what_is_sent,
};
use sandpiper::llm::{self, CompletionRequest, ProviderId};
use sandpiper::settings::LlmSettings;
use serde_json::json;
use tokio_util::sync::CancellationToken;

/// A 1000-row dataset whose summary carries all 1000 rows, each with a unique marker.
fn customers() -> DatasetSummary {
    DatasetSummary {
        name: "customers.csv".into(),
        rows: 1000,
        columns: vec![
            ColumnSummary {
                name: "email".into(),
                dtype: "object".into(),
                missing: 2,
                distinct: Some(998),
                numeric: None,
                description: None,
            },
            ColumnSummary {
                name: "spend".into(),
                dtype: "float64".into(),
                missing: 0,
                distinct: None,
                numeric: Some(NumericStats {
                    min: Some(0.0),
                    max: Some(1250.5),
                    mean: Some(87.123456),
                    median: Some(42.0),
                    std: Some(101.9),
                }),
                description: None,
            },
        ],
        sample_rows: (0..1000)
            .map(|i| vec![format!("person{i:04}@example.com"), format!("{i}.5")])
            .collect(),
        encoding: None,
        delimiter: None,
        kind: None,
        sheet: None,
        sheets: vec![],
        header_row: None,
        read: None,
    }
}

#[test]
fn by_default_the_schema_statistics_and_five_rows_are_sent() {
    let sent = what_is_sent(&[customers()], &SendPolicy::default());
    let text = &sent.text;
    assert!(text.contains(
        "Dataset \"customers.csv\" (in the sandbox at /data/customers.csv): 1000 rows, 2 columns."
    ));
    assert!(text.contains("- email (object): 2 missing, 998 distinct"));
    assert!(text.contains(
        "- spend (float64): 0 missing; min 0, max 1250.5, mean 87.1235, median 42, std 101.9"
    ));
    assert!(text.contains(
        "Sample rows (the first 5 of 1000):\nemail | spend\nperson0000@example.com | 0.5"
    ));
    assert!(text.contains("person0004@example.com"));
    assert!(
        !text.contains("person0005@example.com"),
        "only five rows go"
    );
    assert_eq!(sent.sample_rows_sent, 5);
}

#[test]
fn with_sample_rows_turned_off_no_value_from_the_data_is_sent() {
    let settings = LlmSettings {
        send_sample_rows: false,
        ..LlmSettings::default()
    };
    let sent = what_is_sent(&[customers()], &SendPolicy::from_settings(&settings));
    assert!(!sent.text.contains("@example.com"));
    assert!(
        sent.text
            .contains("Sample rows: not sent (turned off in Settings).")
    );
    assert!(
        sent.text.contains("- spend (float64)"),
        "the schema still goes"
    );
    assert_eq!(sent.sample_rows_sent, 0);
}

#[test]
fn long_cells_and_wide_tables_are_cut_and_newlines_cannot_break_the_layout() {
    let mut wide = customers();
    wide.sample_rows[0][0] = format!("line one\nline two | {}", "x".repeat(500));
    wide.columns.extend((0..300).map(|i| ColumnSummary {
        name: format!("c{i}"),
        dtype: "int64".into(),
        missing: 0,
        distinct: None,
        numeric: None,
        description: None,
    }));
    let sent = what_is_sent(&[wide], &SendPolicy::default());
    assert!(!sent.text.contains(&"x".repeat(61)));
    assert!(sent.text.contains("line one line two / xxx"));
    assert!(
        sent.text
            .contains("- ... and 102 more columns, not listed.")
    );
    assert_eq!(sent.columns_left_out, 102);
}

#[test]
fn the_analysts_column_descriptions_go_with_their_columns_even_without_sample_rows() {
    let mut described = customers();
    described.columns[1].description = Some("in euros,\nexcluding VAT".into());
    let settings = LlmSettings {
        send_sample_rows: false,
        ..LlmSettings::default()
    };
    let sent = what_is_sent(&[described], &SendPolicy::from_settings(&settings));
    let lines: Vec<&str> = sent.text.lines().collect();
    let spend = lines
        .iter()
        .position(|l| l.starts_with("- spend (float64)"));
    let spend = spend.expect("the spend column is listed");
    assert_eq!(
        lines[spend + 1],
        "  The analyst says: in euros, excluding VAT",
        "{}",
        sent.text
    );
    assert_eq!(sent.text.matches("The analyst says").count(), 1);
}

#[tokio::test]
async fn the_text_the_analyst_views_is_exactly_what_the_provider_receives() {
    let sent = what_is_sent(&[customers()], &SendPolicy::default());
    let server = Server::start(vec![Reply::json(
        200,
        json!({"content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
               "usage": {"input_tokens": 1, "output_tokens": 1}}),
    )])
    .await;
    let claude = llm::connect(config(ProviderId::Anthropic, &server, "")).unwrap();
    let request = CompletionRequest::new("claude-sonnet-4-5", sent.text.clone());
    let preview = claude.request_body(&request, false);
    claude
        .complete(&request, &CancellationToken::new())
        .await
        .unwrap();
    let received = server.only_request().body;
    assert_eq!(received, preview, "the preview is the body, byte for byte");
    assert_eq!(received["messages"][0]["content"], json!(sent.text));
    let everything = received.to_string();
    assert!(!everything.contains("person0005@example.com"));
}
