//! A "remote" Docker host for the tests: a TLS listener on 127.0.0.1 that demands
//! a client certificate and forwards to the local daemon's socket. Certificates
//! are generated here. Sandpiper talks to it as to a team server: over TCP and
//! TLS, with no shared file system.

use sandpiper::settings::DockerSettings;
use std::path::PathBuf;
use std::sync::Arc;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};

pub struct RemoteDocker {
    pub settings: DockerSettings,
    _certs: tempfile::TempDir,
}

fn issue(
    names: &[&str],
    usage: rcgen::ExtendedKeyUsagePurpose,
    ca: &rcgen::Issuer<'_, rcgen::KeyPair>,
) -> (rcgen::Certificate, rcgen::KeyPair) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
    params.extended_key_usages = vec![usage];
    (params.signed_by(&key, ca).unwrap(), key)
}

/// Starts the listener and writes `ca.pem`, `cert.pem`, `key.pem` for the client.
pub async fn start() -> RemoteDocker {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Sandpiper test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let ca = rcgen::Issuer::new(ca_params, ca_key);
    let (server_cert, server_key) = issue(
        &["localhost", "127.0.0.1"],
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        &ca,
    );
    let (client_cert, client_key) = issue(
        &["sandpiper-client"],
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        &ca,
    );

    let certs = tempfile::tempdir().unwrap();
    std::fs::write(certs.path().join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(certs.path().join("cert.pem"), client_cert.pem()).unwrap();
    std::fs::write(certs.path().join("key.pem"), client_key.serialize_pem()).unwrap();

    let mut roots = RootCertStore::empty();
    roots.add(ca_cert.der().clone()).unwrap();
    let verifier = WebPkiClientVerifier::builder(Arc::new(roots))
        .build()
        .unwrap();
    let key = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let config = ServerConfig::builder()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![CertificateDer::from(server_cert.der().to_vec())], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut daemon) = tokio::net::UnixStream::connect(local_socket()).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut daemon).await;
            });
        }
    });
    RemoteDocker {
        settings: DockerSettings {
            endpoint: Some(format!("tcp://127.0.0.1:{port}")),
            tls_cert_dir: Some(certs.path().to_owned()),
        },
        _certs: certs,
    }
}

pub fn local_socket() -> PathBuf {
    std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|h| h.strip_prefix("unix://").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/var/run/docker.sock"))
}
