//! Inflates the committed `data/catalog.tsv.gz` into `OUT_DIR` so the library can embed the
//! plain text with `include_str!` and borrow every name from it (no allocation, no runtime
//! decompression). Also emits `source.rs`: the data's source package, version and date as
//! literal-producing macros, read from the file's `V` line. Never touches the network.

use std::env;
use std::fs;
use std::io::Read;
use std::path::PathBuf;

const DATA: &str = "data/catalog.tsv.gz";

fn main() {
    println!("cargo::rerun-if-changed={DATA}");
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    let gz = fs::read(DATA).expect("read data/catalog.tsv.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .expect("data/catalog.tsv.gz is valid gzipped UTF-8");

    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("iamwhy-catalog\t1"),
        "unknown catalog format"
    );
    let v: Vec<&str> = lines
        .next()
        .and_then(|l| l.strip_prefix("V\t"))
        .expect("second line is the V (source) line")
        .split('\t')
        .collect();
    let [package, version, updated_at] = v[..] else {
        panic!("V line needs package, version and timestamp");
    };
    let date = updated_at.get(..10).expect("timestamp starts with a date");
    for s in [package, version, updated_at] {
        assert!(!s.contains(['"', '\\']), "unexpected quote in V line");
    }

    let source = format!(
        "/// Expands to the name of the package the catalog data comes from, as a string literal.\n\
         #[macro_export]\nmacro_rules! source_package {{ () => {{ \"{package}\" }} }}\n\
         /// Expands to the version of that package, as a string literal.\n\
         #[macro_export]\nmacro_rules! source_version {{ () => {{ \"{version}\" }} }}\n\
         /// Expands to the data date (`YYYY-MM-DD`), as a string literal.\n\
         #[macro_export]\nmacro_rules! data_date {{ () => {{ \"{date}\" }} }}\n\
         /// Expands to the full update timestamp of the data, as a string literal.\n\
         #[macro_export]\nmacro_rules! data_updated_at {{ () => {{ \"{updated_at}\" }} }}\n"
    );
    fs::write(out.join("source.rs"), source).expect("write source.rs");
    fs::write(out.join("catalog.tsv"), &text).expect("write catalog.tsv");
}
