//! `session.json` formats and the steps between them. A session saved by any
//! earlier Sandpiper opens in this one: its JSON is upgraded one version at a
//! time before it is read as today's `SessionMeta`. Each step works on plain
//! JSON, so old formats need no Rust types of their own.
//!
//! - **Format 1** (the first design of the store, before conversations were
//!   kept): `version`, `name`, `created`/`updated` in seconds, `provider` and
//!   `model` at the top, datasets as `{path, size, sha256}` kept by reference,
//!   `input_tokens`/`output_tokens` at the top. `tests/data/sessions/v1/` holds one.
//! - **Format 2** (today): `schema_version`, `title` (and whether the analyst
//!   chose it), times in milliseconds, `model {provider, model}`, datasets with
//!   their name and how they are stored (a copy in `datasets/` or a reference),
//!   the container details' file, `tokens {input_tokens, output_tokens}`, the
//!   step count and the bytes stored.

use serde_json::{Map, Value, json};

/// The format this Sandpiper writes.
pub const CURRENT: u32 = 2;

/// Why a `session.json` could not be brought to today's format.
#[derive(Debug, PartialEq, Eq)]
pub enum MigrationError {
    /// Written by a newer Sandpiper.
    TooNew(u32),
    /// Not a session file Sandpiper ever wrote.
    Malformed(String),
}

/// Today's JSON for `value`, and the format it was in.
pub fn upgrade(mut value: Value) -> Result<(Value, u32), MigrationError> {
    let found = version_of(&value)?;
    if found > CURRENT {
        return Err(MigrationError::TooNew(found));
    }
    let mut version = found;
    while version < CURRENT {
        value = match version {
            1 => v1_to_v2(value)?,
            other => return Err(MigrationError::Malformed(format!("unknown format {other}"))),
        };
        version += 1;
    }
    Ok((value, found))
}

fn version_of(value: &Value) -> Result<u32, MigrationError> {
    let object = value
        .as_object()
        .ok_or_else(|| MigrationError::Malformed("it is not a JSON object".into()))?;
    let number = object
        .get("schema_version")
        .or_else(|| object.get("version"))
        .and_then(Value::as_u64)
        .ok_or_else(|| MigrationError::Malformed("it names no format version".into()))?;
    u32::try_from(number).map_err(|_| MigrationError::TooNew(u32::MAX))
}

fn v1_to_v2(value: Value) -> Result<Value, MigrationError> {
    let Value::Object(old) = value else {
        return Err(MigrationError::Malformed("it is not a JSON object".into()));
    };
    let text = |key: &str| old.get(key).and_then(Value::as_str).map(str::to_owned);
    let number = |key: &str| old.get(key).and_then(Value::as_u64).unwrap_or(0);
    let id = text("id").ok_or_else(|| MigrationError::Malformed("it has no id".into()))?;
    let created_ms = number("created") * 1000;
    let updated_ms = match number("updated") {
        0 => created_ms,
        secs => secs * 1000,
    };
    let model = match text("provider") {
        Some(provider) => {
            json!({"provider": provider, "model": old.get("model").cloned().unwrap_or(Value::Null)})
        }
        None => Value::Null,
    };
    let datasets = old
        .get("datasets")
        .and_then(Value::as_array)
        .map(|list| list.iter().map(v1_dataset).collect::<Result<Vec<_>, _>>())
        .transpose()?
        .unwrap_or_default();
    let mut new = Map::new();
    new.insert("schema_version".into(), json!(2));
    new.insert("id".into(), json!(id));
    // Format 1 sessions were always named by the analyst.
    new.insert(
        "title".into(),
        json!(text("name").unwrap_or_else(|| id.clone())),
    );
    new.insert("title_set_by_user".into(), json!(true));
    new.insert("created_at".into(), json!(created_ms));
    new.insert("updated_at".into(), json!(updated_ms));
    new.insert("model".into(), model);
    new.insert("datasets".into(), Value::Array(datasets));
    new.insert("container".into(), json!(super::layout::CONTAINER_FILE));
    new.insert(
        "tokens".into(),
        json!({"input_tokens": number("input_tokens"), "output_tokens": number("output_tokens")}),
    );
    // Counted again from the conversation when the session is next opened.
    new.insert("steps".into(), json!(0));
    new.insert("stored_bytes".into(), json!(0));
    Ok(Value::Object(new))
}

fn v1_dataset(old: &Value) -> Result<Value, MigrationError> {
    let path = old
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(|| MigrationError::Malformed("a dataset has no path".into()))?;
    let name = std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_owned());
    Ok(json!({
        "name": name,
        "original": path,
        "size_bytes": old.get("size").and_then(Value::as_u64).unwrap_or(0),
        "sha256": old.get("sha256").and_then(Value::as_str).unwrap_or(""),
        "modified_at": null,
        "stored": {"kind": "reference"},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_1_moves_to_today_s_names_and_units() {
        let v1 = json!({
            "version": 1, "id": "sales-q1", "name": "Sales Q1",
            "created": 1_700_000_000u64, "updated": 1_700_000_600u64,
            "provider": "ollama", "model": "llama3",
            "datasets": [{"path": "/home/ana/sales.csv", "size": 12, "sha256": "ab"}],
            "input_tokens": 7, "output_tokens": 9
        });
        let (v2, from) = upgrade(v1).unwrap();
        assert_eq!(from, 1);
        assert_eq!(v2["schema_version"], 2);
        assert_eq!(v2["title"], "Sales Q1");
        assert_eq!(v2["created_at"], 1_700_000_000_000u64);
        assert_eq!(v2["model"]["provider"], "ollama");
        assert_eq!(v2["datasets"][0]["name"], "sales.csv");
        assert_eq!(v2["datasets"][0]["stored"]["kind"], "reference");
        assert_eq!(v2["tokens"]["output_tokens"], 9);
    }

    #[test]
    fn newer_and_unversioned_files_are_refused() {
        assert_eq!(
            upgrade(json!({"schema_version": 99})),
            Err(MigrationError::TooNew(99))
        );
        assert!(matches!(
            upgrade(json!({"title": "x"})),
            Err(MigrationError::Malformed(_))
        ));
        assert!(matches!(
            upgrade(json!([1])),
            Err(MigrationError::Malformed(_))
        ));
    }
}
