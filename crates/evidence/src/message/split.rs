//! Finding the messages of a paste that holds several (a few CLI errors one after the other,
//! a log excerpt). Each message is found by its core phrase; it starts at its `User: ` (or its
//! principal), extended back over the CLI prefix (`An error occurred (...) when calling ...:`)
//! or the code (`AccessDeniedException: `) in front of it. An `An error occurred (` prefix that
//! no core phrase follows is a message of its own (S3's bare `Access Denied`).

use super::codes::leading_code;
use super::lex::is_terminator;
use super::{ANCHOR, EC2_SENTENCE, SHORT_ANCHOR, VPCE_NETWORK};

const CLI_PREFIX: &str = "An error occurred (";

/// The text of each message of `s` (cleaned text), in order; the whole text when it holds
/// one message or none.
pub(super) fn regions(s: &str) -> Vec<&str> {
    let mut cores: Vec<(usize, &str)> = Vec::new();
    for anchor in [ANCHOR, SHORT_ANCHOR, EC2_SENTENCE, VPCE_NETWORK] {
        cores.extend(s.match_indices(anchor).map(|(i, _)| (i, anchor)));
    }
    cores.sort_unstable();
    // (start, core position) of every message with a core phrase.
    let mut heads: Vec<(usize, usize)> = Vec::new();
    let mut previous_end = 0;
    let mut previous_anchor = "";
    for (pos, anchor) in cores {
        if pos < previous_end {
            continue;
        }
        let window = &s[previous_end..pos];
        // EC2's first sentence is followed by the enhanced sentence of the same message.
        if previous_anchor == EC2_SENTENCE
            && anchor == ANCHOR
            && window
                .rfind("User: ")
                .is_some_and(|u| matches!(window[..u].trim(), "" | "."))
        {
            previous_end = pos + anchor.len();
            previous_anchor = anchor;
            continue;
        }
        let mut start = if anchor == ANCHOR {
            match window.rfind("User: ") {
                Some(u) => u,
                None => {
                    let trimmed = window.trim_end();
                    let tok = trimmed.rsplit(is_terminator).next().unwrap_or("");
                    trimmed.len() - tok.len()
                }
            }
        } else {
            window.len()
        };
        let before = &window[..start];
        if let Some(e) = before.rfind(CLI_PREFIX)
            && is_cli_prefix(&before[e..])
        {
            start = e;
        } else if let Some(code) = leading_code(before) {
            start = code.as_ptr() as usize - window.as_ptr() as usize;
        }
        heads.push((previous_end + start, pos));
        previous_end = pos + anchor.len();
        previous_anchor = anchor;
    }
    let mut starts: Vec<usize> = heads.iter().map(|(start, _)| *start).collect();
    for (e, _) in s.match_indices(CLI_PREFIX) {
        let inside = heads.iter().any(|&(start, core)| start <= e && e < core);
        if !inside {
            starts.push(e);
        }
    }
    starts.sort_unstable();
    starts.dedup();
    if starts.len() <= 1 {
        return vec![s];
    }
    let mut out = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let from = if i == 0 { 0 } else { start };
        let to = starts.get(i + 1).copied().unwrap_or(s.len());
        out.push(s[from..to].trim());
    }
    out
}

/// Whether `s` is exactly the AWS CLI's prefix: `An error occurred (CODE)` and optionally
/// ` when calling the OPERATION operation`, then `:` and spaces.
fn is_cli_prefix(s: &str) -> bool {
    let Some(rest) = s.strip_prefix(CLI_PREFIX) else {
        return false;
    };
    let Some((code, rest)) = rest.split_once(')') else {
        return false;
    };
    if code.contains(char::is_whitespace) {
        return false;
    }
    let rest = match rest.strip_prefix(" when calling the ") {
        Some(r) => match r.split_once(" operation") {
            Some((op, after)) if !op.contains(char::is_whitespace) => after,
            _ => return false,
        },
        None => rest,
    };
    rest.strip_prefix(':').is_some_and(|r| r.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_message_is_the_whole_text() {
        let s = "prefix An error occurred (AccessDenied) when calling the X operation: User: a is not authorized to perform: s3:GetObject";
        assert_eq!(regions(s), vec![s]);
    }

    #[test]
    fn two_enhanced_messages_with_their_prefixes() {
        let s = "AccessDeniedException: User: a is not authorized to perform: s3:GetObject AccessDeniedException: User: b is not authorized to perform: s3:PutObject";
        let r = regions(s);
        assert_eq!(r.len(), 2);
        assert!(r[0].starts_with("AccessDeniedException: User: a"), "{r:?}");
        assert!(r[1].starts_with("AccessDeniedException: User: b"), "{r:?}");
    }

    #[test]
    fn a_bare_cli_error_before_an_enhanced_one() {
        let s = "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied An error occurred (AccessDenied) when calling the AssumeRole operation: User: a is not authorized to perform: sts:AssumeRole";
        let r = regions(s);
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(r[0].ends_with("Access Denied"));
        assert!(r[1].starts_with("An error occurred (AccessDenied) when calling the AssumeRole"));
    }
}
