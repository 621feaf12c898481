//! Messages as users paste them: wrapped and indented by terminals and web pages, decorated
//! by markdown and consoles, escaped in JSON, several in one paste. The reference is the parse
//! of the message on one line (whose fields tests/messages.rs asserts); every paste of the same
//! message must give exactly the same fields.
//!
//! The messages: `fixtures/messages/from-tests.json` (the messages of tests/messages.rs, one per
//! format of AWS's access-denied messages) and `fixtures/messages/guides.json` (the messages of the troubleshooting
//! guides, as the AWS CLI and SDKs print them).

use iamwhy_evidence::message::{parse_message, parse_messages};
use iamwhy_evidence::{DenyKind, ParsedMessage, PolicyKind};
use proptest::prelude::*;

fn fixture(file: &str) -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/messages");
    let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The messages of the troubleshooting guides.
fn guides() -> Vec<String> {
    fixture("guides.json")
}

/// Every real message: one per format, then the guides'.
fn messages() -> Vec<String> {
    let mut all = fixture("from-tests.json");
    all.extend(guides());
    all
}

fn reference(message: &str) -> ParsedMessage {
    parse_message(message).unwrap_or_else(|| panic!("not recognised on one line: {message}"))
}

/// `message` with the spaces chosen by `breaks` (cycled) replaced by a line break (`\n` or
/// `\r\n`) and an indentation.
fn rewrap(message: &str, breaks: &[(bool, u8, bool)]) -> String {
    const INDENTS: [&str; 5] = ["", " ", "    ", "\t", "      "];
    let mut out = String::with_capacity(message.len() * 2);
    let mut n = 0;
    for c in message.chars() {
        if c == ' ' && !breaks.is_empty() {
            let (brk, indent, crlf) = breaks[n % breaks.len()];
            n += 1;
            if brk {
                out.push_str(if crlf { "\r\n" } else { "\n" });
                out.push_str(INDENTS[indent as usize % INDENTS.len()]);
                continue;
            }
        }
        out.push(c);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Re-wrapping a real message at random spaces, with random indentation and line endings,
    /// gives the same parsed fields, and one message.
    #[test]
    fn rewrapped_messages_parse_to_the_same_fields(
        breaks in prop::collection::vec((any::<bool>(), 0u8..5, any::<bool>()), 1..64)
    ) {
        for message in messages() {
            let wrapped = rewrap(&message, &breaks);
            let expected = reference(&message);
            prop_assert_eq!(parse_message(&wrapped), Some(expected.clone()), "{:?}", wrapped);
            prop_assert_eq!(parse_messages(&wrapped), vec![expected], "{:?}", wrapped);
        }
    }
}

#[test]
fn a_long_message_broken_at_every_word_boundary_parses_the_same() {
    for message in messages() {
        let expected = reference(&message);
        for (i, _) in message.match_indices(' ') {
            for joint in ["\n", "\n  ", "\r\n\t", " \n"] {
                let wrapped = format!("{}{joint}{}", &message[..i], &message[i + 1..]);
                assert_eq!(
                    parse_message(&wrapped).as_ref(),
                    Some(&expected),
                    "broken at byte {i}: {wrapped:?}"
                );
            }
        }
    }
}

#[test]
fn a_terminal_hard_wrap_inside_arns_is_joined_back() {
    // 40 columns, no indentation: the principal, the resource and the policy ARN broken inside.
    let message = "User: arn:aws:iam::333333333333:user/bob is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:333333333333:instance/* with an explicit deny in a service control policy: arn:aws:organizations::999999999999:policy/o-a1b2c3d4e5/service_control_policy/p-regionlock";
    let chars: Vec<char> = message.chars().collect();
    let wrapped: Vec<String> = chars
        .chunks(40)
        .map(|c| c.iter().collect::<String>())
        .collect();
    let pasted = wrapped.join("\n");
    let m = parse_message(&pasted).unwrap();
    assert_eq!(
        m.principal.as_deref(),
        Some("arn:aws:iam::333333333333:user/bob")
    );
    assert_eq!(m.action.as_deref(), Some("ec2:RunInstances"));
    assert_eq!(
        m.resource.as_deref(),
        Some("arn:aws:ec2:us-east-1:333333333333:instance/*")
    );
    assert_eq!(
        m.policy_arn.as_deref(),
        Some(
            "arn:aws:organizations::999999999999:policy/o-a1b2c3d4e5/service_control_policy/p-regionlock"
        )
    );
}

#[test]
fn markdown_and_console_decorations_are_ignored() {
    let plain = "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in a service control policy";
    let expected = reference(plain);
    let pastes = [
        format!("> {plain}"),
        format!("> > {plain}"),
        format!("$ {plain}"),
        format!("# {plain}"),
        format!("- {plain}"),
        format!("`{plain}`"),
        format!("```\n{plain}\n```"),
        format!("```text\n{}\n```", plain.replace(" is not ", "\nis not ")),
        format!("\"{plain}\""),
        format!("'{plain}'"),
        "> User: arn:aws:iam::123456789012:user/bob is not authorized\n> to perform: s3:GetObject on resource: arn:aws:s3:::b/k\n> with an explicit deny in a service control policy".to_string(),
        "User: `arn:aws:iam::123456789012:user/bob` is not authorized to perform: `s3:GetObject` on resource: `arn:aws:s3:::b/k` with an explicit deny in a service control policy".to_string(),
    ];
    for p in &pastes {
        assert_eq!(parse_message(p).as_ref(), Some(&expected), "{p:?}");
    }
}

#[test]
fn json_escaped_line_breaks_are_line_breaks() {
    let escaped = r#"{"message": "User: arn:aws:iam::123456789012:user/bob is not authorized\n    to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\"\n    because no identity-based policy allows the s3:GetObject action"}"#;
    let m = parse_message(escaped).unwrap();
    assert_eq!(m.action.as_deref(), Some("s3:GetObject"));
    assert_eq!(m.resource.as_deref(), Some("arn:aws:s3:::b/k"));
    assert_eq!(m.policy_type, Some(PolicyKind::Identity));
    assert_eq!(m.deny, Some(DenyKind::Implicit));
}

#[test]
fn several_messages_in_one_paste_are_each_read() {
    let list = guides();
    let paste = format!(
        "$ ./deploy.sh\n{}\n\n{}\nretrying...\n{}",
        list[0], list[2], list[5]
    );
    let all = parse_messages(&paste);
    assert_eq!(
        all,
        vec![
            reference(&list[0]),
            reference(&list[2]),
            reference(&list[5])
        ],
        "{paste}"
    );
}

#[test]
fn two_cli_errors_the_second_wrapped() {
    let guides = guides();
    let (first, second) = (&guides[0], &guides[2]); // AssumeRole's CLI error, S3's bare one
    let paste = format!("{first}\n{}", rewrap(second, &[(true, 2, false)]));
    let all = parse_messages(&paste);
    assert_eq!(all, vec![reference(first), reference(second)]);
}

#[test]
fn the_bare_s3_form_only_when_nothing_better_matches() {
    // "AccessDenied" appears as the CLI's code, but the message proper is enhanced.
    let m = parse_message(
        "An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:iam::1:user/u\n   is not authorized to perform: s3:GetObject",
    )
    .unwrap();
    assert_eq!(m.variant.as_deref(), Some("classic"));
    assert_eq!(m.action.as_deref(), Some("s3:GetObject"));
    let bare = parse_message(
        "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
    )
    .unwrap();
    assert_eq!(bare.variant.as_deref(), Some("s3-bare"));
}
