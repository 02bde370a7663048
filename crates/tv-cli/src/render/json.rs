//! JSON (one pretty document) and NDJSON (one compact object a line): the one writer
//! of each, for every command.

use std::io::{self, Write};

use serde::ser::{Error as _, SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::output::{Json, Rows};

/// Writes the document pretty-printed, with a trailing newline; a streamed list is
/// spliced in at its key (keys sorted, as in the document), item by item.
pub(crate) fn write_json(json: Json<'_>, out: &mut dyn Write) -> io::Result<()> {
    match &json.streamed {
        None => serde_json::to_writer_pretty(&mut *out, &json.document)?,
        Some((key, rows)) => {
            let Value::Object(fields) = &json.document else {
                return Err(io::Error::other("the document is not a JSON object"));
            };
            let document = Spliced { fields, key, rows };
            serde_json::to_writer_pretty(&mut *out, &document)?;
        }
    }
    out.write_all(b"\n")
}

/// Writes each record compactly on its own line.
pub(crate) fn write_ndjson(records: Rows<'_>, out: &mut dyn Write) -> io::Result<()> {
    for record in records {
        serde_json::to_writer(&mut *out, &record?)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The document's fields with the streamed list where its key sorts.
struct Spliced<'d, 'r> {
    fields: &'d serde_json::Map<String, Value>,
    key: &'d str,
    rows: &'d std::cell::RefCell<Rows<'r>>,
}

impl Serialize for Spliced<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut keys: Vec<&str> = self.fields.keys().map(String::as_str).collect();
        if !self.fields.contains_key(self.key) {
            keys.push(self.key);
            keys.sort_unstable();
        }
        let mut map = s.serialize_map(Some(keys.len()))?;
        for key in keys {
            if key == self.key {
                map.serialize_entry(key, &Streamed(self.rows))?;
            } else if let Some(value) = self.fields.get(key) {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

/// The items of the streamed list, each written as it is made.
struct Streamed<'d, 'r>(&'d std::cell::RefCell<Rows<'r>>);

impl Serialize for Streamed<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut rows = self.0.borrow_mut();
        let mut seq = s.serialize_seq(None)?;
        for row in rows.by_ref() {
            seq.serialize_element(&row.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn written(json: Json<'_>) -> String {
        let mut out = Vec::new();
        write_json(json, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// A streamed list is written where its key sorts, byte for byte as the whole tree.
    #[test]
    fn a_streamed_list_is_written_as_the_whole_document_would_be() {
        let rows = vec![
            json!({"app": "web-shop", "volume": 9, "trend": [1.5, null]}),
            json!({"app": "billing", "volume": 2, "trend": []}),
        ];
        for rows in [Vec::new(), rows] {
            for key in ["apps", "zzz", "aaa"] {
                let mut whole =
                    json!({"window": "hour", "end": "2024-01-03T12:00:00Z", "failed": []});
                whole[key] = Value::Array(rows.clone());
                let mut expected = serde_json::to_string_pretty(&whole).unwrap();
                expected.push('\n');
                let mut skeleton = whole.clone();
                skeleton.as_object_mut().unwrap().remove(key);
                let items = rows.clone().into_iter().map(Ok);
                let streamed = Json::streaming(skeleton, key, Box::new(items));
                assert_eq!(written(streamed), expected, "{key}");
            }
        }
    }

    #[test]
    fn ndjson_writes_each_record_on_its_line_and_stops_at_the_first_failure() {
        let records: Rows<'_> = Box::new(
            [
                Ok(json!({"a": 1})),
                Ok(json!({"b": [2]})),
                Err(io::Error::other("x")),
            ]
            .into_iter(),
        );
        let mut out = Vec::new();
        assert!(write_ndjson(records, &mut out).is_err());
        assert_eq!(String::from_utf8(out).unwrap(), "{\"a\":1}\n{\"b\":[2]}\n");
    }
}
