//! Installs behind a company proxy, against real Docker and the real PyPI: on
//! a network the test makes, with no way out but a CONNECT proxy the test runs
//! on that network's own gateway address.

mod common;

use common::proxy::ConnectProxy;
use common::session::TestSession;
use common::{Recorder, docker};
use sandpiper::Error;
use sandpiper::events::Outcome;

/// A Docker network with no route out (`internal`), removed when dropped.
struct IsolatedNetwork {
    name: String,
    gateway: std::net::IpAddr,
}

impl IsolatedNetwork {
    async fn create(what: &str) -> Self {
        // `internal`: Docker gives it no route out, so an install on it reaches
        // PyPI only through the proxy on its gateway address.
        let name = format!(
            "sandpiper-test-{what}-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let docker = docker().await;
        docker
            .create_network(bollard::models::NetworkCreateRequest {
                name: name.clone(),
                internal: Some(true),
                ..Default::default()
            })
            .await
            .unwrap();
        let inspected = docker
            .inspect_network(
                &name,
                None::<bollard::query_parameters::InspectNetworkOptions>,
            )
            .await
            .unwrap();
        let gateway = inspected
            .ipam
            .and_then(|ipam| ipam.config)
            .and_then(|configs| configs.into_iter().find_map(|c| c.gateway))
            .expect("the network has a gateway address")
            .parse()
            .unwrap();
        Self { name, gateway }
    }
}

impl Drop for IsolatedNetwork {
    fn drop(&mut self) {
        let name = self.name.clone();
        std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                let _ = docker().await.remove_network(&name).await;
            })
        })
        .join()
        .unwrap();
    }
}

async fn install_tabulate(session: &TestSession) -> Result<(), Error> {
    session.run("print(1)", &Recorder::default()).await;
    session.install(&["tabulate"]).await.map(|_| ())
}

#[tokio::test]
async fn installs_reach_pypi_through_the_proxy_setting_when_nothing_else_gets_out() {
    let network = IsolatedNetwork::create("proxy").await;
    let proxy = ConnectProxy::start(network.gateway).await;

    // A proxy setting that names nothing listening: the install fails at
    // once, and says the index was out of reach, not that tabulate is missing.
    let closed_port = std::net::TcpListener::bind((network.gateway, 0))
        .unwrap()
        .local_addr()
        .unwrap();
    let mut wrong = TestSession::new("pkg-wrong-proxy").with_own_store();
    wrong.packages.network = Some(network.name.clone());
    wrong.packages.proxy = Some(format!("http://{closed_port}"));
    let err = install_tabulate(&wrong)
        .await
        .expect_err("an install got out through a proxy that does not exist");
    assert!(
        matches!(err, Error::PackageIndexUnreachable { .. }),
        "{err}"
    );
    assert_eq!(
        err.plain_words().title,
        "Sandpiper could not reach PyPI to install tabulate."
    );
    assert!(proxy.asked().is_empty());

    // With it, the install goes through the proxy, and the network-less run
    // imports the package.
    let mut session = TestSession::new("pkg-proxy").with_own_store();
    session.packages.network = Some(network.name.clone());
    session.packages.proxy = Some(format!("http://{}", proxy.addr));
    install_tabulate(&session)
        .await
        .unwrap_or_else(|e| panic!("{}", e.plain_words()));
    let asked = proxy.asked();
    assert!(asked.contains(&"pypi.org:443".to_owned()), "{asked:?}");
    assert!(
        asked.contains(&"files.pythonhosted.org:443".to_owned()),
        "{asked:?}"
    );
    let (result, _) = session
        .run(
            "from tabulate import tabulate\nprint(tabulate([[1]]))",
            &Recorder::default(),
        )
        .await;
    assert_eq!(result.outcome, Outcome::Success, "{}", result.stderr);
    assert_eq!(result.stdout, "-\n1\n-\n");
}
