//! Reading CloudTrail records one at a time from a stream, in every shape they come in, so
//! that a log of any size is read in the memory of one record.
//!
//! Each JSON document of the stream (a log file `{"Records": [...]}`, `lookup-events` output
//! `{"Events": [...]}`, an array of events, one event; several documents one after the other
//! for JSON Lines) is walked with a serde visitor: the elements of `Records` and `Events` are
//! handed to the caller as they are parsed, and dropped before the next one is read. Syntax
//! errors carry the line and column in the whole stream.

use std::io::{self, Read};

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::read::{collect_object, lookup_entry};
use crate::error::{json_problem, read_error};
use iamwhy_diagnostic::{Diagnostic, Position};

/// What receives each record; an error stops the reading.
pub(crate) type RecordSink<'s> = dyn FnMut(Value) -> Result<(), Diagnostic> + 's;

/// How reading the stream failed: a diagnostic, or an I/O error (a cap passed) to report.
pub(crate) enum StreamError {
    /// Bad input, located.
    Input(Diagnostic),
    /// The reader failed (a cap, a broken pipe).
    Io(io::Error),
}

/// Call `sink` on every CloudTrail record of `reader`. `file` labels errors. Returns how many
/// JSON documents the stream held.
pub(crate) fn for_each_record<R: Read>(
    reader: R,
    file: Option<&str>,
    sink: &mut RecordSink<'_>,
) -> Result<usize, StreamError> {
    let mut r = Counting::new(io::BufReader::with_capacity(1 << 16, reader));
    r.skip_bom().map_err(StreamError::Io)?;
    let mut documents = 0;
    loop {
        if !r.skip_whitespace().map_err(StreamError::Io)? {
            break;
        }
        let (line, column) = (r.line, r.column);
        let mut failure = None;
        let result = {
            let mut de = serde_json::Deserializer::from_reader(&mut r);
            Document {
                file,
                sink: &mut *sink,
                failure: &mut failure,
            }
            .deserialize(&mut de)
        };
        if let Some(d) = failure {
            return Err(StreamError::Input(d));
        }
        if let Err(e) = result {
            if e.is_io() {
                let io: io::Error = e.into();
                return Err(StreamError::Io(io));
            }
            return Err(StreamError::Input(syntax_error(&e, file, line, column)));
        }
        documents += 1;
    }
    if documents == 0 {
        return Err(StreamError::Input(read_error(
            "empty-input",
            "the input is empty: expected a CloudTrail event or log file",
            file,
        )));
    }
    Ok(documents)
}

/// A serde_json syntax error of a document that started at `line`/`column` of the stream.
fn syntax_error(e: &serde_json::Error, file: Option<&str>, line: u32, column: u32) -> Diagnostic {
    let code = match e.classify() {
        serde_json::error::Category::Eof => "truncated-json",
        _ => "invalid-json",
    };
    let d = read_error(code, json_problem(e, "the input"), file);
    if e.line() == 0 {
        return d;
    }
    let err_line = e.line() as u32;
    let err_column = e.column() as u32;
    d.at_position(Position {
        line: line + err_line - 1,
        column: if err_line == 1 {
            column + err_column.saturating_sub(1)
        } else {
            err_column
        },
    })
}

/// A reader that knows the line and column of the next byte.
struct Counting<R> {
    inner: R,
    line: u32,
    column: u32,
}

impl<R: io::BufRead> Counting<R> {
    fn new(inner: R) -> Counting<R> {
        Counting {
            inner,
            line: 1,
            column: 1,
        }
    }

    fn advance(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if b & 0xC0 != 0x80 {
                // Columns count characters: continuation bytes of UTF-8 do not advance.
                self.column += 1;
            }
        }
    }

    /// Skip a UTF-8 byte order mark at the start.
    fn skip_bom(&mut self) -> io::Result<()> {
        let buf = self.inner.fill_buf()?;
        if buf.starts_with(b"\xEF\xBB\xBF") {
            self.inner.consume(3);
        }
        Ok(())
    }

    /// Skip whitespace; false at the end of the stream.
    fn skip_whitespace(&mut self) -> io::Result<bool> {
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let done = n < buf.len();
            let skipped = buf[..n].to_vec();
            self.inner.consume(n);
            self.advance(&skipped);
            if done {
                return Ok(true);
            }
        }
    }
}

impl<R: io::BufRead> Read for Counting<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let buf = self.inner.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.inner.consume(n);
        self.advance(&out[..n]);
        Ok(n)
    }
}

/// One top-level document.
struct Document<'a, 's> {
    file: Option<&'a str>,
    sink: &'a mut RecordSink<'s>,
    failure: &'a mut Option<Diagnostic>,
}

impl Document<'_, '_> {
    /// Record a bad-input diagnostic and give serde the error that stops it.
    fn fail<E: de::Error>(&mut self, d: Diagnostic) -> E {
        let message = d.message.clone();
        *self.failure = Some(d);
        E::custom(message)
    }

    /// Hand the records `values` hold (already collected from one object) to the sink.
    fn deliver<E: de::Error>(&mut self, values: Vec<Value>) -> Result<(), E> {
        for v in values {
            if let Err(d) = (self.sink)(v) {
                return Err(self.fail(d));
            }
        }
        Ok(())
    }

    fn not_cloudtrail<E: de::Error>(&mut self, kind: &str) -> E {
        let d = read_error(
            "not-cloudtrail",
            format!(
                "the JSON is a {kind}, not a CloudTrail event, log file or lookup-events output"
            ),
            self.file,
        );
        self.fail(d)
    }
}

impl<'de> DeserializeSeed<'de> for Document<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a CloudTrail event, log file or lookup-events output")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut rest = Map::new();
        let mut streamed = false;
        while let Some(key) = map.next_key::<String>()? {
            let list = match key.as_str() {
                "Records" => List::Records,
                "Events" => List::Events,
                _ => {
                    let value: Value = map.next_value()?;
                    rest.insert(key, value);
                    continue;
                }
            };
            streamed = true;
            map.next_value_seed(ListSeed {
                list,
                what: "the document",
                doc: Document {
                    file: self.file,
                    sink: &mut *self.sink,
                    failure: &mut *self.failure,
                },
            })?;
        }
        if streamed {
            return Ok(());
        }
        let mut out = Vec::new();
        if let Err(d) = collect_object(rest, self.file, &mut out, "the document") {
            return Err(self.fail(d));
        }
        self.deliver(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(item) = seq.next_element::<Value>()? {
            let Value::Object(map) = item else {
                let d = read_error(
                    "not-an-event",
                    format!(
                        "item {i} of the list is a {}, not a CloudTrail event",
                        crate::json::kind_of(&item)
                    ),
                    self.file,
                );
                return Err(self.fail(d));
            };
            let mut out = Vec::new();
            if let Err(d) = collect_object(map, self.file, &mut out, &format!("item {i}")) {
                return Err(self.fail(d));
            }
            self.deliver(out)?;
            i += 1;
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(mut self, _: &str) -> Result<(), E> {
        Err(self.not_cloudtrail("string"))
    }

    fn visit_bool<E: de::Error>(mut self, _: bool) -> Result<(), E> {
        Err(self.not_cloudtrail("boolean"))
    }

    fn visit_i64<E: de::Error>(mut self, _: i64) -> Result<(), E> {
        Err(self.not_cloudtrail("number"))
    }

    fn visit_u64<E: de::Error>(mut self, _: u64) -> Result<(), E> {
        Err(self.not_cloudtrail("number"))
    }

    fn visit_f64<E: de::Error>(mut self, _: f64) -> Result<(), E> {
        Err(self.not_cloudtrail("number"))
    }

    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        Err(self.not_cloudtrail("null"))
    }
}

/// Which list of a document is streamed.
#[derive(Clone, Copy)]
enum List {
    /// A log file's `Records`: events.
    Records,
    /// `lookup-events` output's `Events`: entries holding the event as JSON text.
    Events,
}

struct ListSeed<'a, 's> {
    list: List,
    what: &'a str,
    doc: Document<'a, 's>,
}

impl ListSeed<'_, '_> {
    fn key(&self) -> &'static str {
        match self.list {
            List::Records => "Records",
            List::Events => "Events",
        }
    }

    fn not_a_list<E: de::Error>(mut self, kind: &str) -> E {
        let d = read_error(
            "not-cloudtrail",
            format!(
                "\"{}\" in {} is a {kind}, not a list",
                self.key(),
                self.what
            ),
            self.doc.file,
        );
        self.doc.fail(d)
    }
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of CloudTrail records")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(item) = seq.next_element::<Value>()? {
            let mut out = Vec::new();
            match (self.list, item) {
                (List::Records, Value::Object(map)) => out.push(Value::Object(map)),
                (List::Records, other) => {
                    let d = read_error(
                        "not-an-event",
                        format!(
                            "Records[{i}] is a {}, not an event object",
                            crate::json::kind_of(&other)
                        ),
                        self.doc.file,
                    );
                    return Err(self.doc.fail(d));
                }
                (List::Events, Value::Object(entry)) => {
                    if let Err(d) =
                        lookup_entry(entry, self.doc.file, &mut out, &format!("Events[{i}]"))
                    {
                        return Err(self.doc.fail(d));
                    }
                }
                (List::Events, other) => {
                    let d = read_error(
                        "not-an-event",
                        format!(
                            "Events[{i}] is a {}, not an object",
                            crate::json::kind_of(&other)
                        ),
                        self.doc.file,
                    );
                    return Err(self.doc.fail(d));
                }
            }
            self.doc.deliver(out)?;
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.not_a_list("object"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_a_list("string"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_a_list("boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_a_list("number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_a_list("number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_a_list("number"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self.not_a_list("null"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Result<Vec<Value>, Diagnostic> {
        let mut out = Vec::new();
        match for_each_record(text.as_bytes(), Some("t.json"), &mut |v| {
            out.push(v);
            Ok(())
        }) {
            Ok(_) => Ok(out),
            Err(StreamError::Input(d)) => Err(d),
            Err(StreamError::Io(e)) => panic!("{e}"),
        }
    }

    #[test]
    fn every_shape_streams_its_records() {
        let ev = r#"{"eventName":"GetObject","eventSource":"s3.amazonaws.com"}"#;
        assert_eq!(
            records(&format!(r#"{{"Records":[{ev},{ev}]}}"#))
                .unwrap()
                .len(),
            2
        );
        assert_eq!(records(&format!("[{ev},{ev},{ev}]")).unwrap().len(), 3);
        assert_eq!(records(&format!("{ev}\n{ev}\n")).unwrap().len(), 2);
        let entry =
            serde_json::to_string(&serde_json::json!({"Events": [{"CloudTrailEvent": ev}]}))
                .unwrap();
        assert_eq!(records(&entry).unwrap().len(), 1);
        assert_eq!(
            records(&format!(r#"{{"Other": 1, "Records":[{ev}], "More": [2]}}"#))
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn a_syntax_error_in_a_later_document_has_its_line_in_the_stream() {
        let ev = r#"{"eventName":"GetObject"}"#;
        let d = records(&format!("{ev}\n{ev}\n{{\"eventName\": }}\n")).unwrap_err();
        assert_eq!(d.code, "invalid-json");
        assert_eq!(d.position().map(|p| p.line), Some(3));
    }

    #[test]
    fn bad_shapes_are_located_diagnostics() {
        assert_eq!(
            records(r#"{"Records": 5}"#).unwrap_err().code,
            "not-cloudtrail"
        );
        assert_eq!(
            records(r#"{"Records": [1]}"#).unwrap_err().code,
            "not-an-event"
        );
        assert_eq!(records(r#""text""#).unwrap_err().code, "not-cloudtrail");
        assert_eq!(records("   ").unwrap_err().code, "empty-input");
        assert_eq!(
            records(r#"{"Records": [{"a":1},"#).unwrap_err().code,
            "truncated-json"
        );
    }
}
