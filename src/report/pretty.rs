//! serde_json's pretty layout (two-space indent), written with one call per
//! line break: serde_json's own formatter writes each level of indentation
//! separately, and SARIF results sit six to eight levels deep, so 300,000 of
//! them made several million tiny writes.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// A line break, then indentation for up to 64 levels; `,` before it for
/// every item but the first.
const BREAK: &[u8] = b",\n                                                                                                                                ";
const INDENT: &[u8] = b"  ";

#[derive(Default)]
struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    fn line_break<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        let from = usize::from(first);
        let end = 2 + self.level * INDENT.len();
        match BREAK.get(from..end) {
            Some(piece) => writer.write_all(piece),
            None => {
                writer.write_all(&BREAK[from..2])?;
                (0..self.level).try_for_each(|_| writer.write_all(INDENT))
            }
        }
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line_break(writer, true)?;
        }
        writer.write_all(bracket)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line_break(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line_break(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// What `serde_json::to_writer_pretty` writes.
pub fn to_writer<W: Write, T: ?Sized + Serialize>(writer: W, value: &T) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(
        writer,
        Pretty::default(),
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn both(value: &serde_json::Value) -> (String, String) {
        let mut ours = Vec::new();
        super::to_writer(&mut ours, value).unwrap();
        (
            String::from_utf8(ours).unwrap(),
            serde_json::to_string_pretty(value).unwrap(),
        )
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let mut deep = json!("leaf");
        for i in 0..70 {
            deep = if i % 2 == 0 {
                json!([deep, 1, {}])
            } else {
                json!({"k": deep, "e": [], "n": null})
            };
        }
        for value in [
            json!(null),
            json!([]),
            json!({}),
            json!([[], {}, [[]], {"a": {}}]),
            json!({"a": [1, {"b": "c\n\"d"}], "e": {"f": [true, false, 1.5]}}),
            deep,
        ] {
            let (ours, theirs) = both(&value);
            assert_eq!(ours, theirs);
        }
    }
}
