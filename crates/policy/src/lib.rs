//! # iamwhy-policy — the IAM policy language
//!
//! Span-preserving parsing of policy documents ([`PolicyDocument::parse`]), grammar checks per
//! policy type ([`validate::validate`]), and the linear-time matching building blocks the engine
//! compiles policies into: [`wildcard::Wildcard`], [`action::ActionPattern`],
//! [`arn::ResourcePattern`], [`template::Template`] for policy variables, and
//! [`condition_operator::ConditionOperator`]. This crate knows nothing of requests.

pub mod action;
pub mod arn;
pub mod condition_operator;
pub mod document;
pub mod inline;
pub mod json;
pub mod lines;
pub mod parse;
pub mod policy_type;
pub mod relation;
pub mod source;
pub mod suggest;
pub mod template;
pub mod validate;
pub mod values;
pub mod wildcard;

pub use arn::{Arn, is_account_id};
pub use document::*;
pub use parse::ParseFailure;
pub use policy_type::PolicyType;
