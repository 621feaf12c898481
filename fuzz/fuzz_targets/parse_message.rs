//! Fuzz target: arbitrary text → the access-denied message parser and the observation built
//! from it. Must never panic; every field it returns must be text that occurs in the input
//! (after JSON unescaping) and the observation must agree with the parsed fields.

#![no_main]

use iamwhy_evidence::message::{parse_message, policy_kind_phrase};
use iamwhy_evidence::observed::from_message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = parse_message(&text);
    let observed = from_message(&text);
    assert_eq!(
        parsed.is_some(),
        observed.is_some(),
        "parser and observation disagree"
    );
    if let (Some(p), Some(o)) = (parsed, observed) {
        assert_eq!(o.principal, p.principal);
        assert_eq!(o.actions, p.action.clone().into_iter().collect::<Vec<_>>());
        if let Some(k) = p.policy_type {
            assert!(!policy_kind_phrase(k).is_empty());
        }
        for field in [&p.principal, &p.action, &p.policy_arn]
            .into_iter()
            .flatten()
        {
            assert!(!field.is_empty(), "an empty field is reported as present");
        }
        let _ = serde_json::to_string(&o).expect("observations serialize");
    }
});
