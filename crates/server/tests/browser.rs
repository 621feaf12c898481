//! The explain page in a real browser: Debian's chromium, headless, driven through
//! chromedriver (WebDriver, with fantoccini). The server runs on 127.0.0.1:0 with the demo
//! world; the page opens the shareable address of the SCP region-lock story and must draw the
//! chain with the SCP box of the Workloads OU as the deciding one, and highlight the deciding
//! statement's lines in the policy source. A screenshot is saved as
//! `target/serve-explain.png` (a CI artifact). It then opens the check form, the world tree,
//! and the who-can and what-can addresses of the customer-data bucket's object (the principals
//! and actions crates/analyze/tests/demo.rs expects), saving `target/serve-who-can.png`.
//!
//! Without chromium and chromedriver the test fails, saying how to install them; set
//! `IAMWHY_SKIP_BROWSER=1` to skip it on purpose (it then prints that it was skipped).

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CUSTOMER_OBJECT: &str =
    "arn:aws:s3:::prod-app-customer-data/orders/2024/06/03/order-81723.json";

const REGION_LOCK: &str = "User: arn:aws:iam::333333333333:user/bob is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:333333333333:instance/* with an explicit deny in a service control policy";

fn find(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// chromedriver in a process group of its own (with the chromium it starts), all of it
/// killed when the test ends — also when an assertion failed before the session was closed.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // The group's id is chromedriver's pid.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_page_draws_the_chain_with_the_deciding_scp_box_and_highlighted_statement() {
    if std::env::var("IAMWHY_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("SKIPPED: IAMWHY_SKIP_BROWSER=1 is set; the browser test did not run");
        return;
    }
    let chromium = find(
        "IAMWHY_CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
    );
    let chromedriver = find("IAMWHY_CHROMEDRIVER", &["chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        panic!(
            "the browser test needs chromium and chromedriver (Debian: apt-get install -y chromium chromium-driver; .ci/run installs them), \
             or IAMWHY_CHROMIUM / IAMWHY_CHROMEDRIVER naming them; set IAMWHY_SKIP_BROWSER=1 to skip it on purpose"
        );
    };

    // The server, on a real socket.
    let world =
        iamwhy_world::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../world/demo-world"))
            .expect("the demo world loads");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(iamwhy_server::serve(
        listener,
        iamwhy_server::app(world, iamwhy_server::Options::default()),
        async {
            let _ = stopped.await;
        },
    ));

    // chromedriver.
    let port = free_port();
    let mut command = Command::new(&chromedriver);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let child = command
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
    let _driver = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on {port} within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1100", "--hide-scrollbars"],
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a chromium session through chromedriver");

    let result = async {
        // The shareable address: the question is in the query string.
        let mut url = url_for(addr);
        url.query_pairs_mut()
            .append_pair("tab", "explain")
            .append_pair("input", REGION_LOCK)
            .append_pair("region", "us-east-1");
        client.goto(url.as_str()).await?;
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("#explain-result[data-ready]"))
            .await?;
        let ready = client
            .find(Locator::Css("#explain-result"))
            .await?
            .attr("data-ready")
            .await?;
        assert_eq!(
            ready.as_deref(),
            Some("true"),
            "the explanation failed to render"
        );
        // The decision.
        let decision = client.find(Locator::Css("#decision")).await?.text().await?;
        assert!(decision.starts_with("ExplicitDeny"), "{decision}");
        // Exactly one deciding box: the SCP level of the Workloads OU, coloured deny.
        let deciding = client.find_all(Locator::Css(".box.deciding")).await?;
        assert_eq!(deciding.len(), 1, "one deciding box");
        let b = &deciding[0];
        assert_eq!(b.attr("data-layer").await?.as_deref(), Some("scp"));
        assert_eq!(
            b.attr("data-level").await?.as_deref(),
            Some("ou-ab12-workload")
        );
        assert_eq!(b.attr("data-status").await?.as_deref(), Some("deny"));
        // The SCP levels are drawn root → OU → account, in order.
        let mut levels = Vec::new();
        for e in client
            .find_all(Locator::Css(".group[data-layer='scp'] .box"))
            .await?
        {
            levels.push(e.attr("data-level").await?.unwrap_or_default());
        }
        assert_eq!(
            levels,
            [
                "r-ab12",
                "ou-ab12-workload",
                "ou-ab12-dev00001",
                "333333333333"
            ]
        );
        // The deciding statement's lines are highlighted in the SCP's source (lines 4-19).
        let lines = client
            .find_all(Locator::Css(".source .ln.deciding-line"))
            .await?;
        assert!(!lines.is_empty(), "no highlighted line");
        assert_eq!(lines[0].attr("data-n").await?.as_deref(), Some("4"));
        assert_eq!(
            lines.last().unwrap().attr("data-n").await?.as_deref(),
            Some("19")
        );
        let mut text = String::new();
        for l in &lines {
            text.push_str(&l.text().await?);
            text.push('\n');
        }
        assert!(text.contains("DenyAllOutsideEU"), "{text}");
        // The condition values beside it.
        let stmt = client.find(Locator::Css(".stmt.deciding-stmt")).await?;
        assert_eq!(
            stmt.attr("data-sid").await?.as_deref(),
            Some("DenyAllOutsideEU")
        );
        let conds = stmt.text().await?;
        assert!(
            conds.contains("StringNotEquals aws:RequestedRegion") && conds.contains("us-east-1"),
            "{conds}"
        );
        // Fixes with a copyable command.
        assert!(
            !client.find_all(Locator::Css(".fix")).await?.is_empty(),
            "no fix shown"
        );
        // No Content-Security-Policy violation.
        let violations = client
            .execute("return window.iamwhyCspViolations;", vec![])
            .await?;
        assert_eq!(violations, json!([]), "CSP violations");

        let png = client.screenshot().await?;
        let out = target_dir().join("serve-explain.png");
        std::fs::create_dir_all(out.parent().unwrap()).ok();
        std::fs::write(&out, &png).expect("the screenshot is written");
        eprintln!("screenshot: {}", out.display());

        // The check form, from its shareable address, draws the same chain.
        let mut url = url_for(addr);
        url.query_pairs_mut()
            .append_pair("tab", "check")
            .append_pair("principal", "arn:aws:iam::333333333333:user/bob")
            .append_pair("action", "ec2:RunInstances")
            .append_pair("resource", "arn:aws:ec2:us-east-1:333333333333:instance/*")
            .append_pair("context", "aws:RequestedRegion=us-east-1");
        client.goto(url.as_str()).await?;
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("#check-result[data-ready]"))
            .await?;
        let b = client
            .find(Locator::Css("#check-result .box.deciding"))
            .await?;
        assert_eq!(
            b.attr("data-level").await?.as_deref(),
            Some("ou-ab12-workload")
        );

        // The world browser draws the organization tree.
        client
            .goto(url_for(addr).join("?tab=world").unwrap().as_str())
            .await?;
        client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("#world-tree .tree li.account"))
            .await?;
        let tree = client
            .find(Locator::Css("#world-tree"))
            .await?
            .text()
            .await?;
        assert!(
            tree.contains("r-ab12") && tree.contains("account 333333333333"),
            "{tree}"
        );

        // Who can read the customer-data object: the shareable who-can address lists the
        // principals crates/analyze/tests/demo.rs derives from the demo's stories.
        let mut url = url_for(addr);
        url.query_pairs_mut()
            .append_pair("tab", "who-can")
            .append_pair("action", "s3:GetObject")
            .append_pair("resource", CUSTOMER_OBJECT);
        client.goto(url.as_str()).await?;
        client
            .wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::Css("#who-can-result[data-ready]"))
            .await?;
        let ready = client
            .find(Locator::Css("#who-can-result"))
            .await?
            .attr("data-ready")
            .await?;
        let shown = client
            .find(Locator::Css("#who-can-result"))
            .await?
            .text()
            .await?;
        assert_eq!(ready.as_deref(), Some("true"), "who-can failed: {shown}");
        // The form is filled from the address.
        let action = client
            .find(Locator::Css("#who-can-action"))
            .await?
            .prop("value")
            .await?;
        assert_eq!(action.as_deref(), Some("s3:GetObject"));
        let mut principals = Vec::new();
        for e in client
            .find_all(Locator::Css("#who-can-principals .grantee"))
            .await?
        {
            principals.push(e.attr("data-principal").await?.unwrap_or_default());
        }
        assert_eq!(
            principals,
            [
                "arn:aws:iam::222222222222:role/OrgOps",
                "arn:aws:iam::222222222222:role/app/app-backend",
                "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_3f2a1b0c9d8e7f6a",
                "arn:aws:iam::222222222222:root",
                "arn:aws:iam::222222222222:user/alice",
            ]
        );
        // app-backend: allowed only through the prod endpoint, granted by its data policy,
        // limited by the region lock and the bucket policy's endpoint condition.
        let backend = client
            .find(Locator::Css(
                ".grantee[data-principal='arn:aws:iam::222222222222:role/app/app-backend']",
            ))
            .await?;
        let text = backend.text().await?;
        for needle in [
            "NOT StringNotEquals aws:SourceVpce [vpce-0a1b2c3d4e5f60718]",
            "ReadWriteCustomerData",
            "DenyAllOutsideEU",
            "DenyIfNotThroughProdVpce",
        ] {
            assert!(text.contains(needle), "{needle} not in {text}");
        }
        // The granting statement's source, with its lines highlighted.
        backend
            .find(Locator::Css(
                ".stmt-line[data-sid='ReadWriteCustomerData'] a",
            ))
            .await?
            .click()
            .await?;
        let hl = client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(
                ".stmt-line[data-sid='ReadWriteCustomerData'] .source .ln.hl",
            ))
            .await?;
        assert_eq!(hl.attr("data-n").await?.as_deref(), Some("4"));
        // The classes no snapshot lists: nobody outside the organization.
        let outside = client
            .find(Locator::Css(
                "#who-can-classes .class-answer[data-class='outside_organization']",
            ))
            .await?;
        assert_eq!(outside.attr("data-allowed").await?.as_deref(), Some("false"));
        let anonymous = client
            .find(Locator::Css(
                "#who-can-classes .class-answer[data-class='anonymous']",
            ))
            .await?;
        assert_eq!(
            anonymous.attr("data-allowed").await?.as_deref(),
            Some("false")
        );
        let verdict = client
            .find(Locator::Css("#who-can-outside"))
            .await?
            .text()
            .await?;
        assert!(verdict.starts_with("Nobody outside"), "{verdict}");
        let violations = client
            .execute("return window.iamwhyCspViolations;", vec![])
            .await?;
        assert_eq!(violations, json!([]), "CSP violations on who-can");
        let png = client.screenshot().await?;
        std::fs::write(target_dir().join("serve-who-can.png"), &png)
            .expect("the screenshot is written");

        // What can app-backend do on the object: by service and access level.
        let mut url = url_for(addr);
        url.query_pairs_mut()
            .append_pair("tab", "what-can")
            .append_pair("principal", "arn:aws:iam::222222222222:role/app/app-backend")
            .append_pair("resource", CUSTOMER_OBJECT);
        client.goto(url.as_str()).await?;
        client
            .wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::Css("#what-can-result[data-ready]"))
            .await?;
        let mut rows = Vec::new();
        for t in client
            .find_all(Locator::Css(
                "#what-can-result .service-group[data-service='s3'] table.actions",
            ))
            .await?
        {
            let level = t.attr("data-level").await?.unwrap_or_default();
            for r in t.find_all(Locator::Css("tr")).await? {
                rows.push(format!(
                    "{level} {}",
                    r.attr("data-action").await?.unwrap_or_default()
                ));
            }
        }
        assert_eq!(rows, ["Read s3:GetObject", "Write s3:PutObject"]);
        let conditions = client
            .find(Locator::Css("#what-can-result tr[data-action='s3:GetObject']"))
            .await?
            .text()
            .await?;
        assert!(conditions.contains("aws:SourceVpce"), "{conditions}");
        let violations = client
            .execute("return window.iamwhyCspViolations;", vec![])
            .await?;
        assert_eq!(violations, json!([]), "CSP violations on what-can");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = client.close().await;
    let _ = stop.send(());
    let _ = server.await;
    result.expect("the browser session");
}

fn url_for(addr: std::net::SocketAddr) -> url::Url {
    url::Url::parse(&format!("http://{addr}/")).unwrap()
}
