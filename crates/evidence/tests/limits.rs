//! Every input is capped: a gzip bomb, `/dev/zero`, an endless pipe end with an error that
//! names the limit and the flag that raises it, after reading no more than the cap.

use flate2::Compression;
use flate2::write::GzEncoder;
use iamwhy_evidence::input::{Limits, ReadOptions, Reader, Source};
use std::io::Write;

/// A gzip "bomb" of `members` gzip members, each 1 MiB of spaces (about 1 KiB compressed),
/// the first opening a CloudTrail log: valid JSON as far as it goes, `members` MiB inflated.
fn bomb(members: usize) -> Vec<u8> {
    let member = |prefix: &[u8]| {
        let mut enc = GzEncoder::new(Vec::new(), Compression::best());
        enc.write_all(prefix).unwrap();
        enc.write_all(&vec![b' '; (1 << 20) - prefix.len()])
            .unwrap();
        enc.finish().unwrap()
    };
    let mut out = member(b"{\"Records\": [");
    let rest = member(b"");
    for _ in 1..members {
        out.extend_from_slice(&rest);
    }
    out
}

fn reader(max: u64) -> Reader {
    Reader::new(ReadOptions {
        all: true,
        limits: Limits {
            max_input_bytes: max,
            flag: "--max-input-size",
        },
    })
}

#[test]
fn a_one_megabyte_gzip_bomb_stops_at_the_decompression_cap() {
    let bytes = bomb(1024);
    assert!(bytes.len() < 2 << 20, "the bomb is {} bytes", bytes.len());
    let d = reader(16 << 20)
        .read(Source::Bytes(&bytes, Some("bomb.json.gz")), &mut |_| Ok(()))
        .unwrap_err();
    assert_eq!(d.code, "decompressed-too-large");
    assert!(d.message.contains("16 MiB"), "{}", d.message);
    assert!(d.message.contains("--max-input-size"), "{}", d.message);
    assert!(
        d.help.as_deref().unwrap().contains("--max-input-size 64M"),
        "{:?}",
        d.help
    );
    assert_eq!(d.file.as_deref(), Some("bomb.json.gz"));
}

#[test]
fn a_file_larger_than_the_cap_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    std::fs::write(&path, vec![b' '; 4096]).unwrap();
    let d = reader(1024)
        .read(Source::Path(&path), &mut |_| Ok(()))
        .unwrap_err();
    assert_eq!(d.code, "input-too-large");
    assert!(d.message.contains("1 KiB"), "{}", d.message);
}

#[test]
fn dev_zero_as_a_file_ends_at_the_cap() {
    let zero = std::path::Path::new("/dev/zero");
    if !zero.exists() {
        eprintln!("skipped: no /dev/zero on this system");
        return;
    }
    let d = reader(8 << 20)
        .read(Source::Path(zero), &mut |_| Ok(()))
        .unwrap_err();
    assert_eq!(d.code, "input-too-large");
    assert!(d.message.contains("8 MiB"), "{}", d.message);
    assert_eq!(d.file.as_deref(), Some("/dev/zero"));
}

#[test]
fn an_endless_json_stream_ends_at_the_cap() {
    // `{"Records": [` and then whitespace for ever, through a reader (as a pipe delivers it).
    let endless = std::io::Read::chain(&b"{\"Records\": ["[..], std::io::repeat(b' '));
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(endless, 3 << 20), &mut bytes).unwrap();
    let d = reader(1 << 20)
        .read(Source::Bytes(&bytes, None), &mut |_| Ok(()))
        .unwrap_err();
    assert_eq!(d.code, "input-too-large");
}

#[test]
fn the_default_cap_is_256_mib() {
    assert_eq!(Limits::default().max_input_bytes, 256 << 20);
    assert_eq!(Limits::default().flag, "--max-input-size");
}
