//! Checks the committed `data/managed-policies.tsv.gz` line by line (so that the library can
//! index it on first use without a failure path) and emits `source.rs`: the data's source
//! package, version and date as constants, read from its `V` line. Never touches the network.

use std::env;
use std::fs;
use std::io::Read;
use std::path::PathBuf;

const DATA: &str = "data/managed-policies.tsv.gz";
const PREFIX: &str = "arn:aws:iam::aws:policy/";

fn main() {
    println!("cargo::rerun-if-changed={DATA}");
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    let gz = fs::read(DATA).expect("read data/managed-policies.tsv.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .expect("data/managed-policies.tsv.gz is valid gzipped UTF-8");

    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("iamwhy-managed-policies\t1"),
        "unknown managed-policies format"
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
    let mut previous: Option<&str> = None;
    let mut count = 0usize;
    for (i, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        let ["P", arn, version_id, updated, document] = fields[..] else {
            panic!("line {}: expected P, ARN, version, date, document", i + 3);
        };
        assert!(arn.starts_with(PREFIX), "line {}: {arn}", i + 3);
        assert!(
            !version_id.is_empty() && !updated.is_empty(),
            "line {}",
            i + 3
        );
        assert!(
            document.starts_with('{') && document.ends_with('}'),
            "line {}: document is not an object",
            i + 3
        );
        if let Some(p) = previous {
            assert!(p < arn, "line {}: ARNs must be sorted and unique", i + 3);
        }
        previous = Some(arn);
        count += 1;
    }
    assert!(count > 0, "no policies");

    let source = format!(
        "/// The npm package the data comes from.\n\
         pub const SOURCE_PACKAGE: &str = \"{package}\";\n\
         /// The version of that package.\n\
         pub const SOURCE_VERSION: &str = \"{version}\";\n\
         /// The newest policy update in the data (ISO 8601 timestamp).\n\
         pub const DATA_UPDATED_AT: &str = \"{updated_at}\";\n\
         /// The data date (`YYYY-MM-DD`): policies changed after it are not reflected.\n\
         pub const DATA_DATE: &str = \"{date}\";\n\
         /// How many policies the data holds.\n\
         pub const POLICY_COUNT: usize = {count};\n"
    );
    fs::write(out.join("source.rs"), source).expect("write source.rs");
}
