//! The network, the request time and transport, and the action.

use super::Derive;
use crate::cloudtrail::actions::{canonical, map_event};
use crate::json::{is_ip, text};
use iamwhy_policy::values::Instant;

pub(super) fn network(d: &mut Derive) {
    let ev = d.event;
    let ip = text(ev, "sourceIPAddress");
    if let Some(vpce) = text(ev, "vpcEndpointId") {
        d.o.vpce = Some(vpce.into());
        d.key("aws:SourceVpce", vpce);
        match text(ev, "vpcEndpointAccountId") {
            Some(acct) => d.key("aws:VpceAccount", acct),
            None => d.note("vpcEndpointAccountId is not logged: aws:VpceAccount is unknown"),
        }
        match ip {
            Some(ip) if is_ip(ip) => {
                d.key("aws:VpcSourceIp", ip);
                d.note(format!(
                    "via VPC endpoint {vpce}: aws:SourceVpce and aws:VpceAccount from vpcEndpointId/vpcEndpointAccountId, aws:VpcSourceIp from sourceIPAddress; aws:SourceIp is absent"
                ));
            }
            _ => d.note(format!(
                "via VPC endpoint {vpce}: aws:SourceIp is absent and sourceIPAddress is not an IP, so aws:VpcSourceIp is unknown"
            )),
        }
    } else {
        match ip {
            Some(ip) if is_ip(ip) => d.key("aws:SourceIp", ip),
            Some(other) => d.note(format!(
                "sourceIPAddress is {other}, not an IP (a service called on the caller's behalf): aws:SourceIp not derived"
            )),
            None => d.note("sourceIPAddress is not logged: aws:SourceIp not derived"),
        }
    }
}

pub(super) fn request(d: &mut Derive) {
    let ev = d.event;
    if let Some(region) = text(ev, "awsRegion") {
        d.o.region = Some(region.into());
        d.key("aws:RequestedRegion", region);
    }
    if let Some(time) = text(ev, "eventTime") {
        d.key("aws:CurrentTime", time);
        match Instant::parse(time) {
            Some(t) => d.key("aws:EpochTime", t.seconds.to_string()),
            None => d.note(format!(
                "eventTime {time} is not an ISO 8601 time: aws:EpochTime not derived"
            )),
        }
    }
    if ev.get("tlsDetails").is_some_and(|t| t.is_object()) {
        d.key("aws:SecureTransport", "true");
    } else {
        d.note("tlsDetails is not logged: aws:SecureTransport is unknown (AWS API calls normally use TLS)");
    }
    if let Some(ua) = text(ev, "userAgent") {
        d.key("aws:UserAgent", ua);
    }
}

pub(super) fn action(d: &mut Derive, source: &str, name: &str) {
    let from_message = d.o.message.as_ref().and_then(|m| m.action.clone());
    let mapped = (!source.is_empty() && !name.is_empty()).then(|| map_event(source, name));
    match (from_message, mapped) {
        (Some(a), mapped) => {
            let a = canonical(&a).unwrap_or(a);
            d.note(format!("action {a} from errorMessage"));
            if let Some((acts, _)) = mapped
                && !(acts.len() == 1 && acts[0].eq_ignore_ascii_case(&a))
            {
                d.note(format!(
                    "eventName {name} maps to {}; the message names {a}, the one AWS refused",
                    acts.join(" + ")
                ));
            }
            d.o.actions = vec![a];
        }
        (None, Some((acts, how))) => {
            d.note(format!("action {} {how}", acts.join(" + ")));
            if acts.len() > 1 {
                d.note("the operation is authorized as several actions: a denial may come from any of them");
            }
            d.o.actions = acts;
        }
        (None, None) => d.note("neither errorMessage nor eventSource/eventName gives the action"),
    }
}
