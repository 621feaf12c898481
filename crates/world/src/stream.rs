//! Reading an account's `authorization-details.json` a piece at a time.
//!
//! The file is the biggest of a world (123 MiB for the 30,000-role synthetic world). Reading it
//! whole keeps its text and its deserialized pages in memory beside the world being built;
//! this splitter reads it in chunks instead and hands out consecutive entities of one list
//! ([`List`]) as one contiguous text ([`Batch`]), with the byte offset, line and column where
//! that text starts, then forgets them. Only a batch (about 4 MiB) is held at a time.
//!
//! The splitter knows only the file's outer shape: a page object, or an array of them, whose
//! four lists hold entity objects. It checks that shape strictly and leaves everything else —
//! each entity, each other member's value — to serde. Anything it does not expect (a byte
//! order mark, an escaped key, a list that is not an array, a list given twice, a value serde
//! refuses, a file over the size cap, a gzip header) makes it stop with [`Bail`]: the caller
//! then reads the file whole, the one reader that reports errors, so every error (its code,
//! message, JSON path, line and column) is the same whichever way the file was first read.

use iamwhy_diagnostic::Position;
use std::io::Read;

/// Which list of a page an entity belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    /// `UserDetailList`.
    Users,
    /// `GroupDetailList`.
    Groups,
    /// `RoleDetailList`.
    Roles,
    /// `Policies`.
    Policies,
}

impl List {
    fn from_key(key: &[u8]) -> Option<List> {
        match key {
            b"UserDetailList" => Some(List::Users),
            b"GroupDetailList" => Some(List::Groups),
            b"RoleDetailList" => Some(List::Roles),
            b"Policies" => Some(List::Policies),
            _ => None,
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// Consecutive entities of one list of one page, as one text.
#[derive(Debug)]
pub(crate) struct Batch<'t> {
    /// The page's index when the file is an array of pages.
    pub page: Option<usize>,
    /// The list the entities are in.
    pub list: List,
    /// The index of the first entity in its list.
    pub first: usize,
    /// From the first entity's first byte to the last one's last byte (valid UTF-8).
    pub text: &'t str,
    /// Where `text` starts in the file.
    pub at: Location,
    /// Each entity's byte range in `text`.
    pub entities: &'t [(usize, usize)],
}

/// Where a text starts in its file: byte offset, line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Location {
    /// Byte offset in the file.
    pub offset: u64,
    /// Line and column (in characters) of that byte.
    pub position: Position,
}

impl Location {
    /// The start of a file.
    pub const START: Location = Location {
        offset: 0,
        position: Position { line: 1, column: 1 },
    };
}

/// The splitter stopped: read the file whole instead (see the module's documentation).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Bail;

/// A line and column that moves forward over text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineCounter(pub Position);

impl LineCounter {
    /// Move past `bytes` (whole UTF-8 characters).
    pub fn advance(&mut self, bytes: &[u8]) {
        let tail = match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                let lines = memchr::memchr_iter(b'\n', &bytes[..=last]).count();
                self.0.line += lines as u32;
                self.0.column = 1;
                &bytes[last + 1..]
            }
            None => bytes,
        };
        self.0.column += tail.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u32;
    }
}

/// How much is read at a time.
const CHUNK: usize = 1 << 20;
/// A batch is handed out once it holds this many bytes...
const BATCH_BYTES: usize = 1 << 20;
/// ...or this many entities.
pub(crate) const BATCH_ENTITIES: usize = 512;

/// Split the authorization details read from `src` (at most `cap` bytes) into batches,
/// calling `each` on every one in file order. `Err(Bail)` when the file is not of the shape
/// the splitter reads, is over the cap, or `each` bailed.
pub(crate) fn split(
    src: impl Read,
    cap: u64,
    each: &mut dyn FnMut(Batch<'_>) -> Result<(), Bail>,
) -> Result<(), Bail> {
    let mut s = Splitter {
        src,
        cap,
        buf: Vec::new(),
        pos: 0,
        end: 0,
        base: 0,
        eof: false,
        hold: None,
        counter: LineCounter(Location::START.position),
        counted: 0,
        ranges: Vec::new(),
    };
    s.ws()?;
    match s.peek()? {
        Some(b'[') => {
            s.pos += 1;
            s.ws()?;
            if s.peek()? == Some(b']') {
                s.pos += 1;
            } else {
                let mut page = 0;
                loop {
                    s.page(Some(page), each)?;
                    page += 1;
                    s.ws()?;
                    match s.next()? {
                        Some(b',') => s.ws()?,
                        Some(b']') => break,
                        _ => return Err(Bail),
                    }
                }
            }
        }
        Some(b'{') => s.page(None, each)?,
        _ => return Err(Bail),
    }
    s.ws()?;
    match s.peek()? {
        None => Ok(()),
        Some(_) => Err(Bail),
    }
}

struct Splitter<R> {
    src: R,
    cap: u64,
    buf: Vec<u8>,
    /// The next byte to look at (index in `buf`).
    pos: usize,
    /// The end of the bytes read (index in `buf`).
    end: usize,
    /// The file offset of `buf[0]`.
    base: u64,
    eof: bool,
    /// The file offset from which bytes are kept (a batch or a member being read).
    hold: Option<u64>,
    /// The line and column of `buf[counted]`.
    counter: LineCounter,
    counted: usize,
    /// The entities of the batch being gathered (file offsets).
    ranges: Vec<(u64, u64)>,
}

impl<R: Read> Splitter<R> {
    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn index(&self, offset: u64) -> usize {
        (offset - self.base) as usize
    }

    /// Read more bytes; `false` at the end of the file.
    fn fill(&mut self) -> Result<bool, Bail> {
        if self.eof {
            return Ok(false);
        }
        // Forget what is neither held nor still to be looked at.
        let keep = self.index(self.hold.unwrap_or(self.offset()));
        if keep > 0 {
            self.counter.advance(&self.buf[self.counted..keep]);
            self.buf.copy_within(keep..self.end, 0);
            self.base += keep as u64;
            self.pos -= keep;
            self.end -= keep;
            self.counted = 0;
        }
        if self.buf.len() - self.end < CHUNK {
            // Room for one more chunk, or twice what is held (so that a huge entity is read
            // in amortised linear time): what is held is at most a batch and an entity, so
            // the buffer stays within about twice that.
            let len = (self.end + CHUNK).max(2 * self.end);
            self.buf.reserve_exact(len - self.buf.len());
            self.buf.resize(len, 0);
        }
        let n = loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return Err(Bail),
            }
        };
        if n == 0 {
            self.eof = true;
            return Ok(false);
        }
        self.end += n;
        if self.base + self.end as u64 > self.cap {
            return Err(Bail);
        }
        Ok(true)
    }

    fn peek(&mut self) -> Result<Option<u8>, Bail> {
        while self.pos == self.end {
            if !self.fill()? {
                return Ok(None);
            }
        }
        Ok(Some(self.buf[self.pos]))
    }

    fn next(&mut self) -> Result<Option<u8>, Bail> {
        let b = self.peek()?;
        if b.is_some() {
            self.pos += 1;
        }
        Ok(b)
    }

    /// Skip JSON whitespace.
    fn ws(&mut self) -> Result<(), Bail> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek()? {
            self.pos += 1;
        }
        Ok(())
    }

    /// Read an object key without escapes (at its opening quote).
    fn key(&mut self) -> Result<Vec<u8>, Bail> {
        if self.next()? != Some(b'"') {
            return Err(Bail);
        }
        let mut key = Vec::new();
        loop {
            match self.next()? {
                Some(b'"') => break,
                Some(b'\\') | None => return Err(Bail),
                Some(b) if b < 0x20 => return Err(Bail),
                Some(b) => key.push(b),
            }
        }
        std::str::from_utf8(&key).map_err(|_| Bail)?;
        Ok(key)
    }

    /// Skip a string (at its opening quote).
    fn string(&mut self) -> Result<(), Bail> {
        self.pos += 1;
        loop {
            match memchr::memchr2(b'"', b'\\', &self.buf[self.pos..self.end]) {
                Some(i) if self.buf[self.pos + i] == b'"' => {
                    self.pos += i + 1;
                    return Ok(());
                }
                Some(i) => {
                    // A backslash: it and the byte it escapes.
                    self.pos += i + 1;
                    if self.next()?.is_none() {
                        return Err(Bail);
                    }
                }
                None => {
                    self.pos = self.end;
                    if !self.fill()? {
                        return Err(Bail);
                    }
                }
            }
        }
    }

    /// Skip one value; its syntax inside is left to serde.
    fn value(&mut self) -> Result<(), Bail> {
        match self.peek()?.ok_or(Bail)? {
            b'"' => self.string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()?.ok_or(Bail)? {
                        b'"' => self.string()?,
                        b'{' | b'[' => {
                            depth += 1;
                            self.pos += 1;
                        }
                        b'}' | b']' => {
                            depth -= 1;
                            self.pos += 1;
                            if depth == 0 {
                                return Ok(());
                            }
                        }
                        _ => self.pos += 1,
                    }
                }
            }
            _ => {
                while let Some(b) = self.peek()? {
                    if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    self.pos += 1;
                }
                Ok(())
            }
        }
    }

    /// One page object (at its `{`).
    fn page(
        &mut self,
        page: Option<usize>,
        each: &mut dyn FnMut(Batch<'_>) -> Result<(), Bail>,
    ) -> Result<(), Bail> {
        if self.next()? != Some(b'{') {
            return Err(Bail);
        }
        self.ws()?;
        if self.peek()? == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        let mut lists = 0u8;
        loop {
            let key = self.key()?;
            self.ws()?;
            if self.next()? != Some(b':') {
                return Err(Bail);
            }
            self.ws()?;
            match List::from_key(&key) {
                // serde refuses a field given twice.
                Some(list) if lists & list.bit() != 0 => return Err(Bail),
                Some(list) => {
                    lists |= list.bit();
                    self.list(page, list, each)?;
                }
                None => self.other()?,
            }
            self.ws()?;
            match self.next()? {
                Some(b',') => self.ws()?,
                Some(b'}') => return Ok(()),
                _ => return Err(Bail),
            }
        }
    }

    /// A member the loader does not read (`IsTruncated`, `Marker`): it must still be JSON.
    fn other(&mut self) -> Result<(), Bail> {
        let start = self.offset();
        self.hold = Some(start);
        self.value()?;
        let text = &self.buf[self.index(start)..self.pos];
        let valid = std::str::from_utf8(text).is_ok()
            && serde_json::from_slice::<serde::de::IgnoredAny>(text).is_ok();
        self.hold = None;
        if valid { Ok(()) } else { Err(Bail) }
    }

    /// A list of entities (at its `[`).
    fn list(
        &mut self,
        page: Option<usize>,
        list: List,
        each: &mut dyn FnMut(Batch<'_>) -> Result<(), Bail>,
    ) -> Result<(), Bail> {
        if self.next()? != Some(b'[') {
            return Err(Bail);
        }
        self.ws()?;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        let mut first = 0;
        loop {
            if self.peek()? != Some(b'{') {
                return Err(Bail);
            }
            let start = self.offset();
            if self.ranges.is_empty() {
                self.hold = Some(start);
            }
            self.value()?;
            self.ranges.push((start, self.offset()));
            let batch_bytes = self.offset() - self.ranges[0].0;
            if self.ranges.len() >= BATCH_ENTITIES || batch_bytes >= BATCH_BYTES as u64 {
                first += self.flush(page, list, first, each)?;
            }
            self.ws()?;
            match self.next()? {
                Some(b',') => self.ws()?,
                Some(b']') => break,
                _ => return Err(Bail),
            }
        }
        if !self.ranges.is_empty() {
            self.flush(page, list, first, each)?;
        }
        Ok(())
    }

    /// Hand out the gathered entities; returns how many there were.
    fn flush(
        &mut self,
        page: Option<usize>,
        list: List,
        first: usize,
        each: &mut dyn FnMut(Batch<'_>) -> Result<(), Bail>,
    ) -> Result<usize, Bail> {
        let (start, end) = (self.ranges[0].0, self.ranges[self.ranges.len() - 1].1);
        let (from, to) = (self.index(start), self.index(end));
        self.counter.advance(&self.buf[self.counted..from]);
        self.counted = from;
        let text = std::str::from_utf8(&self.buf[from..to]).map_err(|_| Bail)?;
        let entities: Vec<(usize, usize)> = self
            .ranges
            .iter()
            .map(|&(s, e)| ((s - start) as usize, (e - start) as usize))
            .collect();
        each(Batch {
            page,
            list,
            first,
            text,
            at: Location {
                offset: start,
                position: self.counter.0,
            },
            entities: &entities,
        })?;
        let n = self.ranges.len();
        self.ranges.clear();
        self.hold = None;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every batch as (page, list, first, entity texts, offset, line, column).
    type Seen = (Option<usize>, List, usize, Vec<String>, u64, u32, u32);

    fn batches(text: &str, cap: u64) -> Result<Vec<Seen>, Bail> {
        let mut out = Vec::new();
        // A reader that gives a few bytes at a time, so that values cross chunk ends.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(self.0.len()).min(7);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        split(Trickle(text.as_bytes()), cap, &mut |b| {
            out.push((
                b.page,
                b.list,
                b.first,
                b.entities
                    .iter()
                    .map(|&(s, e)| b.text[s..e].to_string())
                    .collect(),
                b.at.offset,
                b.at.position.line,
                b.at.position.column,
            ));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn entities_come_out_with_their_offset_line_and_column() {
        let text = "{\n  \"IsTruncated\": false,\n  \"RoleDetailList\": [\n    {\"a\": \"x}\\\"]\"}, {\"é\": [1, {}]}\n  ],\n  \"Policies\": [{}]\n}\n";
        let got = batches(text, u64::MAX).unwrap();
        assert_eq!(got.len(), 2);
        let (page, list, first, ref entities, offset, line, column) = got[0];
        assert_eq!((page, list, first), (None, List::Roles, 0));
        assert_eq!(entities, &["{\"a\": \"x}\\\"]\"}", "{\"é\": [1, {}]}"]);
        assert_eq!(offset as usize, text.find("{\"a\"").unwrap());
        assert_eq!((line, column), (4, 5));
        assert_eq!(got[1].1, List::Policies);
        assert_eq!((got[1].5, got[1].6), (6, 16));
    }

    #[test]
    fn an_array_of_pages_numbers_its_pages() {
        let got = batches(
            "[{\"UserDetailList\": [{}]}, {\"UserDetailList\": [{}, {}]}]",
            u64::MAX,
        )
        .unwrap();
        let pages: Vec<_> = got.iter().map(|b| (b.0, b.3.len())).collect();
        assert_eq!(pages, vec![(Some(0), 1), (Some(1), 2)]);
        assert_eq!(batches("[]", u64::MAX).unwrap(), vec![]);
        assert_eq!(batches(" {} ", u64::MAX).unwrap(), vec![]);
    }

    #[test]
    fn a_long_list_comes_in_batches_that_number_on() {
        let items = vec!["{}"; BATCH_ENTITIES * 2 + 3].join(",");
        let got = batches(&format!("{{\"RoleDetailList\": [{items}]}}"), u64::MAX).unwrap();
        let firsts: Vec<_> = got.iter().map(|b| (b.2, b.3.len())).collect();
        assert_eq!(
            firsts,
            vec![
                (0, BATCH_ENTITIES),
                (BATCH_ENTITIES, BATCH_ENTITIES),
                (2 * BATCH_ENTITIES, 3)
            ]
        );
    }

    #[test]
    fn what_the_splitter_does_not_expect_hands_over_to_the_whole_file_reader() {
        for text in [
            "\u{feff}{}",
            "{\"Role\\u0044etailList\": []}",
            "{\"RoleDetailList\": null}",
            "{\"RoleDetailList\": [], \"RoleDetailList\": []}",
            "{\"RoleDetailList\": [[]]}",
            "{\"RoleDetailList\": [{}] ",
            "{\"RoleDetailList\": [{} {}]}",
            "{\"Marker\": tru}",
            "{\"Marker\": \"a\nb\"}",
            "{} x",
            "\0",
            "{\"RoleDetailList\": [{\"a\": \"unterminated}]}",
            "\x1f\u{8b}",
        ] {
            assert_eq!(batches(text, u64::MAX), Err(Bail), "{text:?}");
        }
    }

    #[test]
    fn a_file_over_the_cap_hands_over_to_the_whole_file_reader() {
        let text = format!("{{\"Marker\": \"{}\"}}", "x".repeat(100));
        assert!(batches(&text, 200).is_ok());
        assert_eq!(batches(&text, 50), Err(Bail));
    }

    #[test]
    fn the_line_counter_counts_characters_and_lines() {
        let mut c = LineCounter(Position { line: 1, column: 1 });
        c.advance("ab".as_bytes());
        assert_eq!((c.0.line, c.0.column), (1, 3));
        c.advance("é\n\nxé".as_bytes());
        assert_eq!((c.0.line, c.0.column), (3, 3));
    }
}
