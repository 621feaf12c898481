//! The AWS-CLI-compatible simulators: `simulate-custom-policy` and `simulate-principal-policy`.
//! Here: AWS's parameters, AWS's JSON output shape, and AWS CLI v2's exit codes (252 for
//! invalid parameters, 254 for errors the service would return, such as
//! `MalformedPolicyDocument`). The simulation itself is `iamwhy_world::simulator`.

pub mod common;
pub mod custom;
pub mod input;
pub mod output;
pub mod principal;

pub use iamwhy_world::simulator::SimulatorError as AwsCliError;

/// The AWS CLI's exit code for an error: 252 for parameters it refuses itself, 254 for errors
/// the service returns.
pub fn exit_code(e: &AwsCliError) -> u8 {
    match e {
        AwsCliError::Parameter(_) => 252,
        _ => 254,
    }
}
