//! A CSV reader for files written by others, in bounded memory.
//!
//! The files of a LinkedIn data export are CSV with quirks: a UTF-8 byte
//! order mark, quoted fields that span lines, preamble lines before the
//! header, and now and then text that is not UTF-8 or is UTF-8 read once as
//! Latin-1 ("CafÃ©"). [`CsvReader`] parses with `csv-core`, keeps at most one
//! record of bounded size in memory, and turns a record it cannot keep (a
//! huge field, an unclosed quote that swallows the rest of the file) into a
//! [`CsvItem::Skipped`] with its line, so a caller counts it and goes on.
//!
//! Fields are decoded one by one: UTF-8 when valid, else Windows-1252, and
//! text that is UTF-8 mis-decoded as Windows-1252 is repaired.

use std::io::{self, BufRead};

/// One item of a CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvItem {
    /// A record, decoded.
    Record(Record),
    /// A record left out, and why.
    Skipped {
        /// 1-based line where the record starts.
        line: u64,
        /// Why it was left out.
        reason: String,
    },
}

/// One CSV record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line where the record starts.
    pub line: u64,
    /// The fields, decoded.
    pub fields: Vec<String>,
}

impl Record {
    /// The field at `index`, or `""` when the record is shorter.
    pub fn get(&self, index: Option<usize>) -> &str {
        index
            .and_then(|i| self.fields.get(i))
            .map_or("", String::as_str)
    }
}

/// Bounds of a [`CsvReader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvLimits {
    /// Largest field, in bytes.
    pub max_field_bytes: usize,
    /// Largest record, in bytes.
    pub max_record_bytes: usize,
    /// Most fields in a record.
    pub max_fields: usize,
}

impl Default for CsvLimits {
    fn default() -> Self {
        CsvLimits {
            max_field_bytes: 1 << 20,
            max_record_bytes: 4 << 20,
            max_fields: 1_000,
        }
    }
}

/// Reads CSV records one at a time, in bounded memory.
#[derive(Debug)]
pub struct CsvReader<R> {
    input: R,
    parser: csv_core::Reader,
    limits: CsvLimits,
    output: Vec<u8>,
    ends: Vec<usize>,
    /// Newlines consumed so far.
    newlines: u64,
    /// Bytes consumed so far.
    consumed: u64,
    done: bool,
}

impl<R: BufRead> CsvReader<R> {
    /// A reader of `input`.
    pub fn new(input: R, limits: CsvLimits) -> CsvReader<R> {
        CsvReader {
            input,
            parser: csv_core::Reader::new(),
            limits,
            output: vec![0; 4096.min(limits.max_record_bytes.max(1))],
            ends: vec![0; 16.min(limits.max_fields.max(1))],
            newlines: 0,
            consumed: 0,
            done: false,
        }
    }

    /// Bytes of input consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.consumed
    }

    /// Reads the next item; `None` at the end of the input.
    pub fn read(&mut self) -> io::Result<Option<CsvItem>> {
        if self.done {
            return Ok(None);
        }
        self.skip_line_ends()?;
        let line = self.newlines + 1;
        let mut out_len = 0usize;
        let mut end_len = 0usize;
        // Set when the record outgrows a limit: the rest of it is read and
        // thrown away.
        let mut overflow: Option<String> = None;
        loop {
            let buf = self.input.fill_buf()?;
            let (result, nin, nout, nend) = self.parser.read_record(
                buf,
                &mut self.output[out_len..],
                &mut self.ends[end_len..],
            );
            self.newlines += memchr_count(b'\n', &buf[..nin]);
            self.consumed += nin as u64;
            self.input.consume(nin);
            out_len += nout;
            end_len += nend;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => {
                    if self.output.len() < self.limits.max_record_bytes {
                        let grown = (self.output.len() * 2).min(self.limits.max_record_bytes);
                        self.output.resize(grown, 0);
                    } else {
                        overflow.get_or_insert_with(|| {
                            format!(
                                "record over the limit of {} bytes (an unclosed quote, or a huge field)",
                                self.limits.max_record_bytes
                            )
                        });
                        out_len = 0;
                    }
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    if self.ends.len() < self.limits.max_fields {
                        let grown = (self.ends.len() * 2).min(self.limits.max_fields);
                        self.ends.resize(grown, 0);
                    } else {
                        overflow.get_or_insert_with(|| {
                            format!("record with over {} fields", self.limits.max_fields)
                        });
                        end_len = 0;
                    }
                }
                csv_core::ReadRecordResult::Record => {
                    if let Some(reason) = overflow {
                        return Ok(Some(CsvItem::Skipped { line, reason }));
                    }
                    return Ok(Some(self.record(line, out_len, end_len)));
                }
                csv_core::ReadRecordResult::End => {
                    self.done = true;
                    return Ok(None);
                }
            }
        }
    }

    /// Consumes the line ends between records (the parser stops at the
    /// first byte of a CRLF), so that a record's line is where it starts.
    fn skip_line_ends(&mut self) -> io::Result<()> {
        loop {
            let buf = self.input.fill_buf()?;
            let n = buf
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
            if n == 0 {
                return Ok(());
            }
            self.newlines += memchr_count(b'\n', &buf[..n]);
            self.consumed += n as u64;
            self.input.consume(n);
        }
    }

    fn record(&self, line: u64, out_len: usize, end_len: usize) -> CsvItem {
        let data = &self.output[..out_len];
        let mut fields = Vec::with_capacity(end_len);
        let mut start = 0;
        for (i, &end) in self.ends[..end_len].iter().enumerate() {
            let Some(bytes) = data.get(start..end) else {
                break;
            };
            if bytes.len() > self.limits.max_field_bytes {
                return CsvItem::Skipped {
                    line,
                    reason: format!(
                        "field {} is {} bytes, over the limit of {} bytes",
                        i + 1,
                        bytes.len(),
                        self.limits.max_field_bytes
                    ),
                };
            }
            fields.push(decode(bytes));
            start = end;
        }
        CsvItem::Record(Record { line, fields })
    }
}

impl<R: BufRead> Iterator for CsvReader<R> {
    type Item = io::Result<CsvItem>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read().transpose()
    }
}

fn memchr_count(needle: u8, haystack: &[u8]) -> u64 {
    haystack.iter().filter(|&&b| b == needle).count() as u64
}

/// Decodes one field: UTF-8 when valid (repairing UTF-8 that was once
/// mis-decoded as Windows-1252), else Windows-1252.
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => repair_mojibake(text),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Repairs text that is UTF-8 decoded as Windows-1252 and encoded again
/// ("CafÃ©" for "Café", "donâ€™t" for "don’t"); other text is returned as it
/// is.
pub fn repair_mojibake(text: &str) -> String {
    // Every UTF-8 lead byte of a two- or three-byte sequence, read as
    // Windows-1252, is one of these.
    let suspicious = text.chars().any(|c| {
        matches!(
            c,
            'Ã' | 'Â' | 'â' | 'Å' | 'Ä' | 'Ð' | 'Ñ' | 'æ' | 'ç' | 'å' | 'ä'
        )
    });
    if !suspicious {
        return text.to_owned();
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    if unmappable || bytes.is_ascii() {
        return text.to_owned();
    }
    match std::str::from_utf8(&bytes) {
        Ok(repaired) if repaired.chars().count() < text.chars().count() => repaired.to_owned(),
        _ => text.to_owned(),
    }
}

/// Column positions of a header, found by name without case; with repeated
/// names, the first one counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    names: Vec<String>,
}

impl Header {
    /// The header of `record`.
    pub fn new(record: &Record) -> Header {
        Header {
            names: record
                .fields
                .iter()
                .map(|f| f.trim().to_ascii_lowercase())
                .collect(),
        }
    }

    /// The position of the column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(name))
    }

    /// Whether every one of `names` is a column.
    pub fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.column(n).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8], limits: CsvLimits) -> Vec<CsvItem> {
        let mut reader = CsvReader::new(input, limits);
        let mut items = Vec::new();
        while let Some(item) = reader.read().unwrap_or(None) {
            items.push(item);
        }
        items
    }

    fn records(input: &[u8]) -> Vec<(u64, Vec<String>)> {
        read_all(input, CsvLimits::default())
            .into_iter()
            .filter_map(|i| match i {
                CsvItem::Record(r) => Some((r.line, r.fields)),
                CsvItem::Skipped { .. } => None,
            })
            .collect()
    }

    #[test]
    fn reads_quoted_multiline_fields_and_counts_lines() {
        let input = b"\xef\xbb\xbfA,B\r\n1,\"two\r\nlines, \"\"quoted\"\"\"\r\n3,4\r\n";
        let got = records(input);
        assert_eq!(got[0], (1, vec!["A".to_owned(), "B".to_owned()]));
        assert_eq!(
            got[1],
            (
                2,
                vec!["1".to_owned(), "two\r\nlines, \"quoted\"".to_owned()]
            )
        );
        assert_eq!(got[2], (4, vec!["3".to_owned(), "4".to_owned()]));
    }

    #[test]
    fn decodes_windows_1252_and_repairs_mojibake() {
        assert_eq!(decode(b"caf\xe9"), "café");
        assert_eq!(decode("CafÃ©".as_bytes()), "Café");
        assert_eq!(decode("donâ€™t".as_bytes()), "don’t");
        // Real text with the same letters is left alone.
        assert_eq!(decode("Ã la carte".as_bytes()), "Ã la carte");
        assert_eq!(decode("Åsa Ärlig".as_bytes()), "Åsa Ärlig");
    }

    #[test]
    fn a_huge_record_is_skipped_and_reading_goes_on() {
        let limits = CsvLimits {
            max_field_bytes: 64,
            max_record_bytes: 128,
            max_fields: 8,
        };
        let mut input = b"a,b\n\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', 10_000));
        input.extend(b"\",c\nd,e\n1,2,3,4,5,6,7,8,9,10\nf,g\n");
        let items = read_all(&input, limits);
        assert_eq!(items.len(), 5);
        assert!(
            matches!(&items[1], CsvItem::Skipped { line: 2, reason } if reason.contains("128 bytes"))
        );
        assert!(matches!(&items[2], CsvItem::Record(r) if r.fields == ["d", "e"] && r.line == 3));
        assert!(
            matches!(&items[3], CsvItem::Skipped { line: 4, reason } if reason.contains("8 fields"))
        );
        assert!(matches!(&items[4], CsvItem::Record(r) if r.fields == ["f", "g"]));
    }

    #[test]
    fn a_field_over_its_limit_is_skipped() {
        let limits = CsvLimits {
            max_field_bytes: 4,
            ..CsvLimits::default()
        };
        let items = read_all(b"abcdef,1\nab,2\n", limits);
        assert!(
            matches!(&items[0], CsvItem::Skipped { reason, .. } if reason.starts_with("field 1 is 6 bytes"))
        );
        assert!(matches!(&items[1], CsvItem::Record(r) if r.fields == ["ab", "2"]));
    }

    #[test]
    fn an_unclosed_quote_ends_in_one_record() {
        let got = records(b"a,b\n\"never closed,\nx,y\n");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].1, vec!["never closed,\nx,y\n".to_owned()]);
    }

    #[test]
    fn header_finds_columns_without_case_and_first_of_repeats() {
        let header = Header::new(&Record {
            line: 1,
            fields: vec!["From".into(), "To".into(), "Sent At".into(), "to".into()],
        });
        assert_eq!(header.column("FROM"), Some(0));
        assert_eq!(header.column("to"), Some(1));
        assert!(header.has_all(&["sent at", "from"]));
        assert!(!header.has_all(&["message"]));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_stays_bounded(input in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let limits = CsvLimits { max_field_bytes: 16, max_record_bytes: 64, max_fields: 4 };
            let mut reader = CsvReader::new(&input[..], limits);
            while let Ok(Some(item)) = reader.read() {
                if let CsvItem::Record(r) = item {
                    proptest::prop_assert!(r.fields.len() <= 4);
                    proptest::prop_assert!(r.fields.iter().all(|f| f.len() <= 16 * 3));
                }
            }
        }
    }
}
