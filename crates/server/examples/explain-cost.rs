//! The cost of the explanations `serve-load` asks for, without HTTP: the same library call the
//! explain endpoint makes (`explain_sources` and JSON), in a loop, for each message, with and
//! without the verified-fix search. Compare with serve-load's "server CPU per request" to see
//! what the server adds. Usage: explain-cost [--world DIR] [--iterations N]

use iamwhy_evidence::input::{Limits, ReadOptions, Source};
use iamwhy_explain::{DiagnoseOptions, WorldIndex, explain_sources};

const MESSAGES: &[(&str, &str)] = &[
    (
        "SCP region lock",
        "User: arn:aws:iam::333333333333:user/bob is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:333333333333:instance/* with an explicit deny in a service control policy",
    ),
    (
        "missing allow",
        "User: arn:aws:iam::222222222222:user/alice is not authorized to perform: lambda:UpdateFunctionCode on resource: arn:aws:lambda:eu-west-1:222222222222:function:orders-api because no identity-based policy allows the lambda:UpdateFunctionCode action",
    ),
    (
        "bucket policy deny",
        "User: arn:aws:iam::222222222222:user/alice is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::prod-app-customer-data/orders/2024-06-01/export.csv\" with an explicit deny in a resource-based policy",
    ),
];

/// CPU time of this process so far (utime + stime, 10 ms ticks).
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let f: Vec<String> = s
                .rsplit_once(") ")?
                .1
                .split_whitespace()
                .map(str::to_string)
                .collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

fn main() {
    let mut world_dir = "crates/world/demo-world".to_string();
    let mut n = 2000u32;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--world" => world_dir = it.next().expect("--world DIR"),
            "--iterations" => {
                n = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--iterations N")
            }
            other => panic!("unknown flag {other}"),
        }
    }
    let world = iamwhy_world::load_dir(std::path::Path::new(&world_dir)).expect("the world loads");
    let index = WorldIndex::new(&world);
    let read = || ReadOptions {
        all: false,
        limits: Limits {
            max_input_bytes: 4 << 20,
            flag: "--max-body",
        },
    };
    for (name, m) in MESSAGES {
        let mut row = Vec::new();
        for fixes in [true, false] {
            let opts = DiagnoseOptions {
                expected_principal: None,
                overrides: Default::default(),
                fixes,
            };
            let (wall, cpu) = (std::time::Instant::now(), cpu_s());
            let mut bytes = 0;
            for _ in 0..n {
                let e = explain_sources(
                    Some(&index),
                    vec![Source::Text(m)],
                    read(),
                    &opts,
                    None,
                    &mut |_| {},
                )
                .expect("explained");
                bytes = serde_json::to_vec(&e.into_report()).expect("JSON").len();
            }
            row.push(format!(
                "{}: {:.3} ms CPU, {:.3} ms wall ({bytes} bytes of JSON)",
                if fixes { "with fixes" } else { "without fixes" },
                (cpu_s() - cpu) * 1e3 / n as f64,
                wall.elapsed().as_secs_f64() * 1e3 / n as f64
            ));
        }
        println!("{name}: {}", row.join("; "));
    }
}
